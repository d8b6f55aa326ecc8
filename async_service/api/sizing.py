"""v2 sizing: the customer's body profile and the size of a product that fits."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from async_service.api.common_schemas import ErrorOut
from async_service.api.security import current_user, jwt_auth, optional_user
from async_service.api.sizing_schemas import (
    BodyProfileIn,
    BodyProfileOut,
    MeasurementsQuery,
    RecommendationOut,
)
from shared_domain.common.asyncdb import run_db
from shared_domain.common.timefmt import iso_utc
from shared_domain.sizing import selectors, services
from shared_domain.sizing.measurements import BODY_FIELDS
from shared_domain.sizing.scoring import Recommendation

router = Router(tags=["sizing"])


def _profile_out(profile: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        name: float(value) if (value := getattr(profile, name)) is not None else None
        for name in BODY_FIELDS
    }
    out["fit_preference"] = profile.fit_preference
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
    field out of range or unknown); `fit_preference` slim, regular (default) or loose."""
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
