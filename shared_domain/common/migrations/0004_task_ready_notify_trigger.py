"""NOTIFY idle database workers exactly when a task becomes ready to run now.

A trigger on the table of django-tasks-db sends `pg_notify('fashionistar_tasks', queue)`
when a row is inserted READY and due (run_after passed, or none: the library stores
"no run_after" as 9999-01-01), and when an update makes a row READY and due (a
crashed worker's task handed back). Deferred tasks (retries with a delay) send
nothing: workers find them by polling once due. Like any NOTIFY, it is delivered only
when the transaction commits, so a rolled-back enqueue wakes nobody.
"""

from django.db import migrations

_DUE = (
    "NEW.status = 'READY' AND (NEW.run_after <= now() "
    "OR NEW.run_after >= '9999-01-01T00:00:00Z'::timestamptz)"
)

FORWARD = f"""
CREATE FUNCTION fashionistar_notify_task_ready() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('fashionistar_tasks', NEW.queue_name);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER fashionistar_task_ready_on_insert
AFTER INSERT ON django_tasks_database_dbtaskresult
FOR EACH ROW WHEN ({_DUE})
EXECUTE FUNCTION fashionistar_notify_task_ready();

CREATE TRIGGER fashionistar_task_ready_on_update
AFTER UPDATE OF status, run_after ON django_tasks_database_dbtaskresult
FOR EACH ROW WHEN (
    (OLD.status IS DISTINCT FROM NEW.status OR OLD.run_after IS DISTINCT FROM NEW.run_after)
    AND {_DUE}
)
EXECUTE FUNCTION fashionistar_notify_task_ready();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS fashionistar_task_ready_on_update ON django_tasks_database_dbtaskresult;
DROP TRIGGER IF EXISTS fashionistar_task_ready_on_insert ON django_tasks_database_dbtaskresult;
DROP FUNCTION IF EXISTS fashionistar_notify_task_ready();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0003_deadletter_retry_failed"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
