import django.db.models.functions.text
from django.db import migrations, models


def rename_duplicate_stores(apps, schema_editor):
    """Stores named alike before names were unique keep the oldest one's name; the
    others get their id appended ("Ada Styles (42)") so the constraint can be added."""
    VendorProfile = apps.get_model("accounts", "VendorProfile")
    seen_names: set[str] = set()
    seen_slugs: set[str] = set()
    for store in VendorProfile.objects.order_by("pk").only("pk", "store_name", "slug"):
        changed = []
        if store.store_name.lower() in seen_names:
            store.store_name = f"{store.store_name[:100]} ({store.pk})"
            changed.append("store_name")
        if store.slug.lower() in seen_slugs:
            store.slug = f"{store.slug[:120]}-{store.pk}"
            changed.append("slug")
        seen_names.add(store.store_name.lower())
        seen_slugs.add(store.slug.lower())
        if changed:
            store.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_vendorprofile_commission_rate"),
    ]

    operations = [
        migrations.RunPython(rename_duplicate_stores, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="vendorprofile",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("store_name"),
                name="vendorprofile_store_name_ci_uniq",
            ),
        ),
        migrations.AddConstraint(
            model_name="vendorprofile",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("slug"), name="vendorprofile_slug_ci_uniq"
            ),
        ),
    ]
