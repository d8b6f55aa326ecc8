"""Role permissions for v1 views: `permission_classes = [IsVendor]`. Object-level
checks belong to the selectors of each context (e.g. `product_get_for_vendor`)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from shared_domain.accounts.selectors import Account
from shared_domain.common.errors import NotAuthenticated


def current_user(request: Request) -> Account:
    """The authenticated user of a view whose permissions already required one."""
    user = request.user
    if not isinstance(user, Account):
        raise NotAuthenticated()
    return user


def _user(request: Request) -> Any:
    user = request.user
    return user if user is not None and user.is_authenticated else None


class IsVendor(BasePermission):
    message = "Only vendors can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        return bool(user and user.is_vendor)


class IsVendorOrStaff(BasePermission):
    """The vendor back office: vendors, and staff acting for them."""

    message = "Only vendors (and staff) can use the back office."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        return bool(user and (user.is_vendor or user.is_platform_staff))


class IsCustomer(BasePermission):
    """Carts, checkout and a customer's orders."""

    message = "Only customer accounts can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        return bool(user and user.is_customer)


class IsStaff(BasePermission):
    """Staff operations (refunds of any order, reports)."""

    message = "Only staff can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _user(request)
        return bool(user and user.is_staff)
