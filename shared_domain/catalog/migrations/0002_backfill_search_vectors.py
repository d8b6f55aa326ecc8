from django.db import migrations


def backfill(apps, schema_editor):
    """Give every product that exists before the services kept vectors current one."""
    from shared_domain.catalog.search_index import search_vectors_refresh

    search_vectors_refresh()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
