from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    """pgvector powers measurement and product embeddings; create it once, first."""

    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [VectorExtension()]
