"""Writes of product images: URL and alt text, in display order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Max

from shared_domain.catalog.models import Product, ProductImage
from shared_domain.catalog.services.validation import Errors
from shared_domain.common.errors import ValidationFailed

MAX_IMAGES = 20


@dataclass(frozen=True)
class ImageSpec:
    url: str
    alt_text: str = ""


def check_images(images: Sequence[ImageSpec], errors: Errors, *, existing: int) -> list[ImageSpec]:
    if existing + len(images) > MAX_IMAGES:
        errors["images"] = [f"At most {MAX_IMAGES} images per product."]
        return []
    cleaned = []
    for index, spec in enumerate(images):
        url = spec.url.strip()
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 500:
            errors[f"images.{index}.url"] = ["Enter an http(s) URL of at most 500 characters."]
            continue
        alt = spec.alt_text.strip()
        if len(alt) > 200:
            errors[f"images.{index}.alt_text"] = ["Use at most 200 characters."]
            continue
        cleaned.append(ImageSpec(url=url, alt_text=alt))
    return cleaned


@transaction.atomic
def image_add(*, product: Product, url: str, alt_text: str = "") -> ProductImage:
    Product.objects.select_for_update().get(pk=product.pk)  # serialise positions
    errors: Errors = {}
    count = product.images.count()
    specs = check_images([ImageSpec(url=url, alt_text=alt_text)], errors, existing=count)
    if errors:
        raise ValidationFailed(details={k.replace("images.0.", ""): v for k, v in errors.items()})
    top = product.images.aggregate(top=Max("position"))["top"]
    position = 0 if top is None else top + 1
    return ProductImage.objects.create(
        product=product, url=specs[0].url, alt_text=specs[0].alt_text, position=position
    )


@transaction.atomic
def image_reorder(*, product: Product, image_ids: Sequence[int]) -> list[ProductImage]:
    """Set the order of all of a product's images (the ids, first to last)."""
    Product.objects.select_for_update().get(pk=product.pk)
    images = {image.pk: image for image in product.images.all()}
    if sorted(image_ids) != sorted(images) or len(set(image_ids)) != len(image_ids):
        raise ValidationFailed(details={"order": ["List each image of the product exactly once."]})
    for position, image_id in enumerate(image_ids):
        images[image_id].position = position
    ProductImage.objects.bulk_update(images.values(), ["position"])
    return [images[image_id] for image_id in image_ids]


def image_remove(*, image: ProductImage) -> None:
    image.delete()
