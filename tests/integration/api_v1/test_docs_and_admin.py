import re

import pytest

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


def test_openapi_schema_lists_the_health_endpoints(client):
    response = client.get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/healthz" in paths
    assert "503" in paths["/api/v1/readyz"]["get"]["responses"]


def test_swagger_ui_is_served_without_a_cdn_and_under_csp(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL.search(html)
    assert "/api/v1/static/drf_spectacular_sidecar/" in html
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    # The init script is a separate same-origin file, so no inline script is needed.
    assert "<script>" not in html


def test_swagger_assets_are_served_by_the_service(client):
    response = client.get("/api/v1/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css")
    assert response.status_code == 200


def test_admin_login_page_renders_with_security_headers(client):
    response = client.get("/api/v1/admin/login/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_requires_staff_login(client):
    response = client.get("/api/v1/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/api/v1/admin/login/")
