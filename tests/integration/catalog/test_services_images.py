"""Image writes: adding, ordering and removing a product's images."""

from __future__ import annotations

import pytest

from shared_domain.catalog import services
from shared_domain.common.errors import ValidationFailed
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def test_images_add_reorder_remove(vendor, tree):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    first = services.image_add(product=product, url="https://img.example/a.jpg")
    second = services.image_add(product=product, url="https://img.example/b.jpg", alt_text="back")
    assert (first.position, second.position) == (0, 1)
    reordered = services.image_reorder(product=product, image_ids=[second.pk, first.pk])
    assert [i.pk for i in reordered] == [second.pk, first.pk]
    with pytest.raises(ValidationFailed):
        services.image_reorder(product=product, image_ids=[second.pk])
    with pytest.raises(ValidationFailed):
        services.image_add(product=product, url="javascript:alert(1)")
    services.image_remove(image=first)
    assert list(product.images.values_list("pk", flat=True)) == [second.pk]
