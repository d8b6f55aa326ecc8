"""v2 sizing: the customer's body profile and the size of a product that fits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from async_service.api.common_schemas import ErrorOut
from async_service.api.security import current_user, jwt_auth, optional_user
from async_service.api.sizing_schemas import (
    BodyProfileIn,
    BodyProfileOut,
    ConvertOut,
    ConvertQuery,
    MeasurementConfirmIn,
    MeasurementOut,
    MeasurementsQuery,
    MeasurementStartedOut,
    RecommendationOut,
)
from shared_domain.common.asyncdb import run_db
from shared_domain.common.timefmt import iso_utc
from shared_domain.sizing import selectors, services
from shared_domain.sizing.conversion import normalise, size_convert
from shared_domain.sizing.measurements import BODY_FIELDS
from shared_domain.sizing.scoring import Recommendation
from shared_domain.web.throttles import per_user
from shared_domain.web.throttling import aenforce

router = Router(tags=["sizing"])


def _profile_out(profile: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        name: float(value) if (value := getattr(profile, name)) is not None else None
        for name in BODY_FIELDS
    }
    out["fit_preference"] = profile.fit_preference
    out["brand_sizes"] = list(profile.brand_sizes)
    out["updated_at"] = iso_utc(profile.updated_at)
    return out


@router.put(
    "/me/body-profile",
    response={200: BodyProfileOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    auth=jwt_auth,
    operation_id="v2_body_profile_put",
)
async def body_profile_put(request: HttpRequest, body: BodyProfileIn) -> dict[str, Any]:
    """Save your measurements (customers only), replacing the profile: cm and kg, each
    optional, within plausible ranges (400 `validation_error`, `details` names each
    field out of range or unknown); `fit_preference` slim, regular (default) or loose;
    `brand_sizes` `[{brand, system, size}]` (at most 10; 400 naming
    `brand_sizes.<i>.system`/`.size` for an unknown one)."""
    user = current_user(request)
    profile = await run_db(
        services.body_profile_put, user=user, data=body.model_dump(exclude_none=True)
    )
    return _profile_out(profile)


@router.get(
    "/me/body-profile",
    response={200: BodyProfileOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=jwt_auth,
    operation_id="v2_body_profile_get",
)
async def body_profile_get(request: HttpRequest) -> dict[str, Any]:
    """Your body profile (customers only); 404 `no_body_profile` before the first PUT."""
    profile = await run_db(selectors.body_profile_get, user=current_user(request))
    return _profile_out(profile)


@router.get(
    "/products/{product_id}/size-recommendation",
    response={200: RecommendationOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    auth=None,
    operation_id="v2_size_recommendation",
)
async def size_recommendation(
    request: HttpRequest, product_id: int, measurements: Query[MeasurementsQuery]
) -> Recommendation:
    """The size of a product on sale that fits best, from the measurements in the query
    string (`chest_cm`, `waist_cm`, `hips_cm`, `inseam_cm`, `shoulder_cm`,
    `fit_preference`; open to anonymous shoppers) or else the signed-in customer's body
    profile. 404 `not_found` (no such product on sale), 404 `no_size_chart`; 400
    `no_measurements` (no measurements and no profile), `no_usable_measurements` (none
    the chart uses), `validation_error` (a value out of range)."""
    user = await optional_user(request)
    return await run_db(
        services.size_recommend,
        product_id=product_id,
        user=user,
        measurements=measurements.model_dump(exclude_none=True),
    )


# ------------------------------------------------------------------ photo measurements
def _measurement_out(measurement: Any) -> dict[str, Any]:
    done = measurement.status == "done"
    return {
        "id": str(measurement.pk),
        "status": measurement.status,
        "height_cm": float(measurement.height_cm),
        "failure_reason": measurement.failure_reason or None,
        "measurements": measurement.results if done else None,
        "confirmed": measurement.confirmed,
        # The APIs' one timestamp format.
        "created_at": iso_utc(measurement.created_at),
        "finished_at": iso_utc(measurement.finished_at) if measurement.finished_at else None,
        "confirmed_at": iso_utc(measurement.confirmed_at) if measurement.confirmed_at else None,
        "photo_stored": bool(measurement.photo),
    }


@router.post(
    "/measurements",
    response={
        202: MeasurementStartedOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    auth=jwt_auth,
    operation_id="v2_measurement_start",
)
async def measurement_start(
    request: HttpRequest,
    response: HttpResponse,
    photo: File[UploadedFile],
    height_cm: Form[Decimal],
) -> Status:
    """Measure yourself from a photo (customers only; `multipart/form-data`): `photo`, a
    full-body JPEG, PNG or WebP (checked by decoding it; at most
    `MEASUREMENT_PHOTO_MAX_BYTES`, 8 MB, and `MEASUREMENT_PHOTO_MAX_PIXELS`), and
    `height_cm`, your height (50 to 250). 202 with the measurement's `id` (poll
    `Location`, `GET /api/v2/measurements/{id}`) and the task's `task_id`. The photo is
    kept privately without its metadata (EXIF, GPS) and deleted once the estimate has
    ended. 503 `estimator_unavailable` when no estimator is installed (nothing is
    stored); 400 `unusable_photo` (`details.photo`), `validation_error`
    (`details.height_cm`); 413 `photo_too_large`, `payload_too_large`; 429 `throttled`
    past `THROTTLE_MEASUREMENT_RATE` uploads (10 an hour)."""
    user = current_user(request)
    await aenforce("measurement", per_user(user.pk))
    measurement = await run_db(
        services.measurement_start,
        user=user,
        photo=photo,
        photo_size=photo.size or 0,
        height_cm=height_cm,
    )
    response["Location"] = f"/api/v2/measurements/{measurement.pk}"
    return Status(
        202,
        {"id": str(measurement.pk), "task_id": measurement.task_id, "status": measurement.status},
    )


@router.get(
    "/measurements/{measurement_id}",
    response={200: MeasurementOut, 401: ErrorOut, 404: ErrorOut},
    auth=jwt_auth,
    operation_id="v2_measurement_get",
)
async def measurement_get(request: HttpRequest, measurement_id: str) -> dict[str, Any]:
    """One of your photo measurements: `status` pending, processing, done (with
    `measurements`: value and uncertainty per measurement, cm) or failed (with
    `failure_reason`). Another customer's measurement is 404."""
    measurement = await run_db(
        selectors.measurement_get_for_user,
        user=current_user(request),
        measurement_id=measurement_id,
    )
    return _measurement_out(measurement)


@router.post(
    "/measurements/{measurement_id}/confirm",
    response={
        200: BodyProfileOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    auth=jwt_auth,
    operation_id="v2_measurement_confirm",
)
async def measurement_confirm(
    request: HttpRequest, measurement_id: str, body: MeasurementConfirmIn | None = None
) -> dict[str, Any]:
    """Copy a done measurement's estimates into your body profile: all of them, or those
    `measurements` names (the profile's other values stay). 200 the body profile; 409
    `measurement_not_ready` unless done; 400 `validation_error` (`details.measurements`)
    for one that was not estimated."""
    names = body.measurements if body is not None else None
    profile = await run_db(
        services.measurement_confirm,
        user=current_user(request),
        measurement_id=measurement_id,
        names=names,
    )
    return _profile_out(profile)


@router.get(
    "/sizes/convert",
    response={200: ConvertOut, 400: ErrorOut},
    auth=None,
    operation_id="v2_size_convert",
)
async def size_convert_endpoint(
    request: HttpRequest, query: Query[ConvertQuery]
) -> dict[str, Any]:
    """A size in one system (`letter`, `uk`, `us`, `eu`, `ng`) in another, for a
    garment (`women_tops` by default, `women_bottoms`, `men_tops`, `men_bottoms`), from
    the table in `shared_domain/sizing/conversion.py`. 400 `validation_error` naming
    `system`, `to`, `garment` or `size` when unknown. No database."""
    sizes = size_convert(garment=query.garment, system=query.system, size=query.size, to=query.to)
    return {"garment": query.garment, "system": query.system, "size": normalise(query.size),
            "to": query.to, "sizes": sizes}  # fmt: skip
