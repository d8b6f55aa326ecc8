"""Tasks for benchmarks."""

from shared_domain.common.tasking import app_task


@app_task(queue="default")
def noop() -> None:
    """Does nothing: measures the task machinery alone."""
