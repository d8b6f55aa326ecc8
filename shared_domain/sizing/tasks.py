"""Tasks of sizing (queue `ai`): body measurements from a photo, and the retention
sweep of photos whose estimate never ended."""

from __future__ import annotations

from shared_domain.common.tasking import app_task
from shared_domain.sizing import services

ESTIMATE_RETRIES = 2


@app_task(queue="ai", max_retries=ESTIMATE_RETRIES)
def estimate_measurements(*, measurement_id: str, attempt: int) -> str:
    """Estimate a measurement from its photo; returns its status."""
    measurement = services.measurement_estimate(
        measurement_id=measurement_id, last_attempt=attempt > ESTIMATE_RETRIES
    )
    return str(measurement.status)


@app_task(queue="ai")
def prune_measurement_photos() -> int:
    return services.measurement_photos_prune()
