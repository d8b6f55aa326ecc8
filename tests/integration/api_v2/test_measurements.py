"""v2 photo measurements: upload (checked, stored privately without metadata), the
estimate on the `ai` queue run for real with a test estimator, polling, confirming into
the body profile, the photo's deletion, and every refusal with its error."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shared_domain.sizing import selectors, services
from shared_domain.sizing.models import PhotoMeasurement
from tests import estimators
from tests.factories import CustomerFactory, VendorFactory
from tests.http import error
from tests.images import GPS_IFD, exif_with_gps, photo_bytes
from tests.integration.api_v2.test_orders import asend
from tests.integration.orders_api import auth, send

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v2/measurements"
ESTIMATOR = "tests.estimators.ProportionEstimator"


@pytest.fixture
def photo_root(settings, tmp_path) -> Path:
    root = tmp_path / "photos"
    settings.STORAGES = {
        **settings.STORAGES,
        "measurement_photos": {
            "BACKEND": "shared_domain.sizing.photos.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.MEASUREMENT_ESTIMATOR = ESTIMATOR
    estimators.SEEN.clear()
    return root


def _stored(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def upload(client, user, data=None, *, height="172", name="me.jpg", fmt="JPEG"):
    data = photo_bytes(fmt, exif=exif_with_gps()) if data is None else data
    form: dict[str, object] = {"photo": SimpleUploadedFile(name, data, "image/jpeg")}
    if height is not None:
        form["height_cm"] = height
    headers = await sync_to_async(auth)(user) if user else {}
    return await client.post(URL, data=form, headers=headers)


def upload_sync(client, user, data=None, *, height="172"):
    """The same upload from a sync test: tasks then run in the main thread, which RQ's
    worker needs for its signal handlers."""
    data = photo_bytes("JPEG", exif=exif_with_gps()) if data is None else data
    form = {"photo": SimpleUploadedFile("me.jpg", data, "image/jpeg"), "height_cm": height}
    return client.post(URL, data=form, headers=auth(user))


def test_a_photo_is_measured_polled_and_confirmed_into_the_profile(client, photo_root, run_tasks):
    buyer = CustomerFactory.create()
    started = upload_sync(client, buyer)
    assert started.status_code == 202, started.content
    body = started.json()
    assert started["Location"] == f"{URL}/{body['id']}"
    assert body["status"] == "pending"
    assert body["task_id"]

    # Stored privately under a random name, re-encoded without EXIF/GPS.
    [stored] = _stored(photo_root)
    assert stored.name != "me.jpg"
    assert len(stored.stem) == 32
    assert stored.stat().st_mode & 0o077 == 0
    with Image.open(stored) as image:
        assert dict(image.getexif()) == {}
        assert not image.getexif().get_ifd(GPS_IFD)
    assert b"PhoneCam" not in stored.read_bytes()

    pending = send(client, "get", started["Location"], buyer)
    assert pending.status_code == 200
    assert pending.json()["status"] == "pending"
    assert pending.json()["measurements"] is None
    assert pending.json()["photo_stored"] is True
    # The task is the caller's: its status is readable on the tasks endpoint.
    assert send(client, "get", f"/api/v2/tasks/{body['task_id']}", buyer).status_code == 200

    run_tasks()
    done = send(client, "get", started["Location"], buyer).json()
    assert done["status"] == "done", done
    assert done["measurements"]["chest"] == {"value_cm": 91.2, "uncertainty_cm": 4.0}
    assert set(done["measurements"]) == {"chest", "waist", "hips", "inseam", "shoulder"}
    assert done["photo_stored"] is False
    assert done["finished_at"]
    assert _stored(photo_root) == []  # deleted once the estimate ended
    # The estimator got the upright photo with no metadata, and the stated height.
    assert [((300, 600), "RGB", frozenset(), 172)] == estimators.SEEN

    location = started["Location"]
    confirmed = send(
        client, "post", f"{location}/confirm", buyer, {"measurements": ["chest", "waist"]}
    )
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["chest_cm"], confirmed.json()["waist_cm"]) == (91.2, 77.4)
    assert confirmed.json()["hips_cm"] is None
    # Confirming the rest later keeps what the profile already had.
    send(
        client, "put", "/api/v2/me/body-profile", buyer, {"chest_cm": 95, "fit_preference": "slim"}
    )
    assert send(client, "post", f"{location}/confirm", buyer).status_code == 200
    profile = selectors.body_profile_get(user=buyer)
    assert (float(profile.hips_cm), float(profile.chest_cm)) == (96.3, 91.2)
    assert profile.fit_preference == "slim"
    read = send(client, "get", location, buyer).json()
    assert read["confirmed"] == ["chest", "hips", "inseam", "shoulder", "waist"]


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "me.png"), ("WEBP", "photo.jpg")])
async def test_png_and_webp_are_accepted_whatever_their_name_and_stored_without_gps(
    async_client, photo_root, fmt, name
):
    buyer = await sync_to_async(CustomerFactory.create)()
    response = await upload(async_client, buyer, photo_bytes(fmt, exif=exif_with_gps()), name=name)
    assert response.status_code == 202, response.content
    [stored] = _stored(photo_root)
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}


async def test_another_customers_measurement_is_not_found(async_client, photo_root):
    owner, other = await sync_to_async(CustomerFactory.create_batch)(2)
    location = (await upload(async_client, owner))["Location"]
    for method, path in (("get", location), ("post", f"{location}/confirm")):
        response = await asend(async_client, method, path, other)
        assert response.status_code == 404, (method, response.content)
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = await asend(async_client, "get", f"{URL}/{bad}", owner)
        assert response.status_code == 404
    assert (await asend(async_client, "get", location)).status_code == 401


async def test_without_an_estimator_uploads_are_refused_and_nothing_is_kept(
    async_client, photo_root, settings
):
    settings.MEASUREMENT_ESTIMATOR = ""
    buyer = await sync_to_async(CustomerFactory.create)()
    response = await upload(async_client, buyer)
    assert response.status_code == 503
    assert error(response)["code"] == "estimator_unavailable"
    assert _stored(photo_root) == []
    assert await PhotoMeasurement.objects.acount() == 0


def test_an_estimator_gone_before_the_task_runs_fails_the_measurement(
    client, photo_root, settings, run_tasks
):
    buyer = CustomerFactory.create()
    location = upload_sync(client, buyer)["Location"]
    settings.MEASUREMENT_ESTIMATOR = ""
    run_tasks()
    read = send(client, "get", location, buyer).json()
    assert (read["status"], read["failure_reason"]) == ("failed", "estimator_unavailable")
    assert read["measurements"] is None
    assert _stored(photo_root) == []
    confirm = send(client, "post", f"{location}/confirm", buyer)
    assert confirm.status_code == 409
    assert error(confirm)["code"] == "measurement_not_ready"
    assert error(confirm)["details"] == {"status": "failed"}


@pytest.mark.parametrize(
    ("estimator", "reason"),
    [
        ("tests.estimators.NoPersonEstimator", "no_person_found"),
        ("tests.estimators.ImplausibleEstimator", "no_plausible_measurements"),
        ("tests.estimators.BrokenEstimator", "estimator_error"),
    ],
)
def test_a_photo_that_cannot_be_measured_fails_with_the_reason(
    client, photo_root, settings, run_tasks, estimator, reason
):
    settings.MEASUREMENT_ESTIMATOR = estimator
    buyer = CustomerFactory.create()
    location = upload_sync(client, buyer)["Location"]
    measurement_id = location.rsplit("/", 1)[1]

    def ended() -> bool:
        return PhotoMeasurement.objects.get(pk=measurement_id).status == "failed"

    # A crashing estimator is retried, and fails the measurement on its last attempt.
    run_tasks(until=ended, timeout=20)
    read = send(client, "get", location, buyer).json()
    assert (read["status"], read["failure_reason"]) == ("failed", reason)
    assert _stored(photo_root) == []


async def test_photos_kept_past_the_retention_are_deleted_and_their_measurement_expires(
    async_client, photo_root
):
    buyer = await sync_to_async(CustomerFactory.create)()
    old = (await upload(async_client, buyer))["Location"].rsplit("/", 1)[1]
    recent = (await upload(async_client, buyer))["Location"].rsplit("/", 1)[1]
    await PhotoMeasurement.objects.filter(pk=old).aupdate(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert await sync_to_async(services.measurement_photos_prune)() == 1
    expired = await PhotoMeasurement.objects.aget(pk=old)
    assert (expired.status, expired.failure_reason, expired.photo) == ("failed", "expired", "")
    kept = await PhotoMeasurement.objects.aget(pk=recent)
    assert kept.status == "pending"
    assert [p.name for p in _stored(photo_root)] == [kept.photo]


async def test_only_signed_in_customers_upload(async_client, photo_root):
    vendor = await sync_to_async(VendorFactory.create)()
    assert (await upload(async_client, vendor)).status_code == 403
    assert (await upload(async_client, None)).status_code == 401
    assert _stored(photo_root) == []


async def test_bad_uploads_are_clear_400s_and_nothing_is_kept(async_client, photo_root):
    buyer = await sync_to_async(CustomerFactory.create)()
    cases = [
        ({"data": b"GIF89a pretending", "name": "me.jpg"}, "unusable_photo", "photo"),
        ({"data": photo_bytes("GIF")}, "unusable_photo", "photo"),
        ({"data": photo_bytes("PNG", size=(100, 100))}, "unusable_photo", "photo"),
        ({"height": "12"}, "validation_error", "height_cm"),
        ({"height": "tall"}, "validation_error", "height_cm"),
        ({"height": None}, "validation_error", "height_cm"),
    ]
    for kwargs, code, field in cases:
        response = await upload(async_client, buyer, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 400, (kwargs, response.content)
        assert error(response)["code"] == code, kwargs
        assert field in error(response)["details"], kwargs
    no_photo = await async_client.post(
        URL, data={"height_cm": "170"}, headers=await sync_to_async(auth)(buyer)
    )
    assert no_photo.status_code == 400
    assert "photo" in error(no_photo)["details"]
    json_body = await asend(async_client, "post", URL, buyer, {"height_cm": 170})
    assert json_body.status_code == 400
    assert _stored(photo_root) == []
    assert await PhotoMeasurement.objects.acount() == 0


async def test_photos_over_the_limits_are_413(async_client, photo_root, settings):
    buyer = await sync_to_async(CustomerFactory.create)()
    big = photo_bytes("PNG", size=(400, 400))
    settings.MEASUREMENT_PHOTO_MAX_BYTES = len(big) - 1
    too_large = await upload(async_client, buyer, big)
    assert too_large.status_code == 413
    assert error(too_large)["code"] == "photo_too_large"
    assert error(too_large)["details"] == {"max_bytes": len(big) - 1}
    # The body limit of this path is its own, above MAX_REQUEST_BODY_BYTES…
    settings.MEASUREMENT_PHOTO_MAX_BYTES = 3_000_000
    assert settings.MAX_REQUEST_BODY_BYTES < 2_000_000
    noisy = Image.frombytes("RGB", (900, 900), _noise(900 * 900 * 3))
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    assert settings.MAX_REQUEST_BODY_BYTES < len(out.getvalue()) < 3_000_000
    assert (await upload(async_client, buyer, out.getvalue())).status_code == 202
    # …without it the general limit applies, and a body over it is refused unparsed.
    settings.LARGE_BODY_PATHS = {}
    refused = await upload(async_client, buyer, out.getvalue())
    assert refused.status_code == 413
    assert error(refused)["code"] == "payload_too_large"
    assert error(refused)["details"] == {"max_bytes": settings.MAX_REQUEST_BODY_BYTES}


def _noise(n: int) -> bytes:
    import random

    return random.Random(7).randbytes(n)


def test_confirming_a_measurement_not_estimated_is_a_400(client, photo_root, run_tasks):
    buyer = CustomerFactory.create()
    location = upload_sync(client, buyer)["Location"]
    assert send(client, "post", f"{location}/confirm", buyer).status_code == 409
    run_tasks()
    measurement = PhotoMeasurement.objects.get(pk=location.rsplit("/", 1)[1])
    measurement.results.pop("inseam")
    measurement.save(update_fields=["results"])
    bodies: list[dict[str, list[str]]] = [
        {"measurements": ["inseam"]},
        {"measurements": []},
        {"measurements": ["neck"]},
    ]
    for body in bodies:
        response = send(client, "post", f"{location}/confirm", buyer, body)
        assert response.status_code == 400, body
        assert any(k.startswith("measurements") for k in error(response)["details"]), body
    assert send(client, "get", "/api/v2/me/body-profile", buyer).status_code == 404


async def test_a_photo_near_the_limit_goes_through_uvicorn_and_one_over_it_does_not(
    base_url, photo_root, settings
):
    """Over real HTTP (uvicorn): the upload path takes a body far above
    MAX_REQUEST_BODY_BYTES, up to the photo limit, and refuses one beyond it unread."""
    buyer = await sync_to_async(CustomerFactory.create)()
    headers = await sync_to_async(auth)(buyer)
    side = 1600
    noisy = Image.frombytes("RGB", (side, side), _noise(side * side * 3))
    out = io.BytesIO()
    noisy.save(out, format="PNG", compress_level=0)
    photo = out.getvalue()
    assert 7_000_000 < len(photo) <= settings.MEASUREMENT_PHOTO_MAX_BYTES
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        accepted = await http.post(
            URL,
            headers=headers,
            files={"photo": ("me.png", photo, "image/png")},
            data={"height_cm": "181.5"},
        )
        assert accepted.status_code == 202, accepted.text
        assert accepted.headers["Location"] == f"{URL}/{accepted.json()['id']}"
        over = photo + bytes(settings.MEASUREMENT_PHOTO_MAX_BYTES + 70_000 - len(photo))
        refused = await http.post(
            URL,
            headers=headers,
            files={"photo": ("me.png", over, "image/png")},
            data={"height_cm": "181.5"},
        )
        assert refused.status_code == 413
        assert error(refused)["code"] == "payload_too_large"
    [stored] = _stored(photo_root)
    with Image.open(stored) as image:
        assert image.size == (side, side)


async def test_uploads_have_a_rate_limit_of_their_own(async_client, photo_root, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "measurement": "2/hour"}
    buyer, other = await sync_to_async(CustomerFactory.create_batch)(2)
    assert [(await upload(async_client, buyer)).status_code for _ in range(2)] == [202, 202]
    limited = await upload(async_client, buyer)
    assert limited.status_code == 429
    assert error(limited)["details"]["scope"] == "measurement"
    assert limited["Retry-After"]
    assert len(_stored(photo_root)) == 2
    assert (await upload(async_client, other)).status_code == 202
