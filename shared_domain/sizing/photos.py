"""Customers' full-body photos for measurements: checked by decoding them (never by
their name or declared type), re-encoded without any metadata, kept in a private
storage under random names, and deleted when their measurement task has ended.

A photo is a JPEG, PNG or WebP of at most MEASUREMENT_PHOTO_MAX_BYTES and at most
MEASUREMENT_PHOTO_MAX_PIXELS (checked from the header, before the pixels are decoded,
so a small file that would decode to gigabytes is refused cheaply). It is stored as a
JPEG rebuilt from its pixels alone: EXIF (GPS position, camera, time), XMP, ICC and
text chunks do not survive; the EXIF orientation is applied to the pixels first so the
stored photo is upright, and it is scaled down to at most STORED_MAX_SIDE pixels a side.
"""

from __future__ import annotations

import io
import secrets
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from PIL import Image, ImageOps, UnidentifiedImageError

from shared_domain.sizing.errors import PhotoTooLarge, PhotoUnusable

FORMATS = ("JPEG", "PNG", "WEBP")
# A full body needs some pixels to be measured at all.
MIN_SIDE = 200
STORED_QUALITY = 90
# Pose models look at a few hundred pixels; keeping more would only keep more of a person.
STORED_MAX_SIDE = 2048
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError)
# Pillow's own guard (far above ours) warns, or refuses, when a header promises more.
_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)


class PrivateFileSystemStorage(FileSystemStorage):
    """Files only the services read: created owner-only and never given a URL."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("file_permissions_mode", 0o600)
        options.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**options)

    def url(self, name: str | None) -> str:
        raise ValueError("Measurement photos are private: they have no URL.")


def photo_storage() -> Storage:
    return storages["measurement_photos"]


def photo_clean(*, stream: IO[bytes], size: int) -> bytes:
    """The photo re-encoded as a JPEG without metadata, or PhotoTooLarge (413) /
    PhotoUnusable (400, `details.photo` says why)."""
    max_bytes = settings.MEASUREMENT_PHOTO_MAX_BYTES
    if size > max_bytes:
        raise PhotoTooLarge(details={"max_bytes": max_bytes})
    max_pixels = settings.MEASUREMENT_PHOTO_MAX_PIXELS
    too_many = PhotoUnusable(details={"photo": [f"The photo has more than {max_pixels} pixels."]})
    try:
        with Image.open(stream, formats=FORMATS) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise too_many
            if min(width, height) < MIN_SIDE:
                raise PhotoUnusable(
                    details={"photo": [f"The photo must be at least {MIN_SIDE} pixels a side."]}
                )
            if image.format == "JPEG":
                # Decode at a reduced scale when the photo is far larger than is kept.
                image.draft("RGB", (STORED_MAX_SIDE, STORED_MAX_SIDE))
            image.load()
            upright = ImageOps.exif_transpose(image)
            pixels = _rgb(upright)
            pixels.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    except _BOMB as exc:
        raise too_many from exc
    except _DECODE_ERRORS as exc:
        raise PhotoUnusable(
            details={"photo": ["Not a readable JPEG, PNG or WebP image."]}
        ) from exc
    # Rebuilt from the raw pixels: nothing of the upload's metadata can be carried over.
    clean = Image.frombytes("RGB", pixels.size, pixels.tobytes())
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=STORED_QUALITY)
    return out.getvalue()


def _rgb(image: Image.Image) -> Image.Image:
    """Opaque RGB: transparent parts on white."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def photo_save(data: bytes) -> str:
    """Store a cleaned photo under a random name; returns the name."""
    name = f"{secrets.token_hex(16)}.jpg"
    return photo_storage().save(name, ContentFile(data))


def photo_open(name: str) -> Image.Image:
    """The stored photo, decoded (FileNotFoundError when it is gone)."""
    with (
        photo_storage().open(name, "rb") as handle,
        Image.open(handle, formats=("JPEG",)) as image,
    ):
        image.load()
        return image.copy()


def photo_delete(name: str) -> None:
    if name:
        photo_storage().delete(name)
