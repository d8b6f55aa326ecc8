"""The roles of an account, importable without the models (the APIs use them for
choices and checks)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    VENDOR = "vendor", "Vendor"
    STAFF = "staff", "Staff"


# The roles people may give themselves when registering; staff is given by staff.
SELF_SERVICE_ROLES = (Role.CUSTOMER, Role.VENDOR)
