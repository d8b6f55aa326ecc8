"""Staff can look at the vendors' size charts in the admin, and change nothing."""

from __future__ import annotations

import pytest

from shared_domain.sizing import services
from tests.factories import StaffFactory, VendorFactory

pytestmark = pytest.mark.django_db


def test_staff_see_size_charts_read_only(client):
    ada = VendorFactory.create()
    chart = services.size_chart_create(
        vendor_id=ada.vendor_profile.pk,
        data={"name": "Tops", "rows": [{"label": "M", "chest_min": 88, "chest_max": 96}]},
    )
    staff = StaffFactory.create(is_superuser=True)
    client.force_login(staff)
    listing = client.get("/api/v1/admin/sizing/sizechart/")
    assert listing.status_code == 200
    assert b"Tops" in listing.content
    page = client.get(f"/api/v1/admin/sizing/sizechart/{chart.pk}/change/")
    assert page.status_code == 200
    assert b"88" in page.content
    assert client.get("/api/v1/admin/sizing/sizechart/add/").status_code == 403
