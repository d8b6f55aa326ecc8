"""Photos made on the spot for the measurement tests, with metadata to strip."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def exif_with_gps(*, orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "PhoneCam"
    exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (6.0, 27.0, 30.5)  # GPSLatitude: Lagos
    gps[3] = "E"
    gps[4] = (3.0, 23.0, 45.0)
    return exif


def photo_bytes(
    fmt: str = "JPEG",
    *,
    size: tuple[int, int] = (300, 600),
    mode: str = "RGB",
    exif: Image.Exif | None = None,
    **options: object,
) -> bytes:
    """A figure-like photo: a light background with a darker upright block."""
    image = Image.new(mode, size, "white" if mode != "1" else 1)
    if mode != "1":
        image.paste("gray", (size[0] // 3, size[1] // 8, 2 * size[0] // 3, 7 * size[1] // 8))
    out = io.BytesIO()
    if exif is not None:
        options["exif"] = exif
    image.save(out, format=fmt, **options)
    return out.getvalue()
