"""Every periodic job of the platform, in one place. The worker processes' scheduler
fires them (see shared_domain.common.scheduling). Times are UTC."""

from shared_domain.common.scheduling import PeriodicJob

SCHEDULE = (
    PeriodicJob(
        name="prune-task-results",
        cron="15 3 * * *",
        task="shared_domain.common.tasks.prune_task_results",
    ),
    PeriodicJob(
        name="prune-event-records",
        cron="30 3 * * *",
        task="shared_domain.common.tasks.prune_event_records",
    ),
    PeriodicJob(
        name="prune-credentials",
        cron="45 3 * * *",
        task="shared_domain.accounts.tasks.prune_credentials",
    ),
    PeriodicJob(
        name="prune-worker-state",
        cron="*/10 * * * *",
        task="shared_domain.common.tasks.prune_worker_state",
    ),
    PeriodicJob(
        name="expire-unpaid-orders",
        cron="* * * * *",
        task="shared_domain.orders.tasks.expire_unpaid_orders",
    ),
    PeriodicJob(
        name="prune-checkout-keys",
        cron="50 3 * * *",
        task="shared_domain.orders.tasks.prune_checkout_keys",
    ),
    PeriodicJob(
        name="reconcile-pending-payments",
        cron="*/15 * * * *",
        task="shared_domain.payments.tasks.reconcile_pending_payments",
    ),
    PeriodicJob(
        name="prune-measurement-photos",
        cron="*/10 * * * *",
        task="shared_domain.sizing.tasks.prune_measurement_photos",
    ),
    PeriodicJob(
        name="prune-reports",
        cron="40 3 * * *",
        task="shared_domain.analytics.tasks.prune_reports",
    ),
    PeriodicJob(
        name="vendor-daily-summaries",
        # Yesterday's rollups: the recomputes of late events have had an hour.
        cron="0 1 * * *",
        task="shared_domain.analytics.tasks.send_vendor_summaries",
    ),
)
