"""Checking and cleaning measurement photos: decoded, never trusted by name; metadata
(EXIF with GPS) gone; decompression bombs refused before their pixels are decoded."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shared_domain.sizing.errors import PhotoTooLarge, PhotoUnusable
from shared_domain.sizing.photos import photo_clean
from tests.images import GPS_IFD, exif_with_gps, photo_bytes


def _clean(data: bytes) -> bytes:
    return photo_clean(stream=io.BytesIO(data), size=len(data))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_and_gps_do_not_survive_cleaning(fmt):
    upload = photo_bytes(fmt, exif=exif_with_gps())
    with Image.open(io.BytesIO(upload)) as original:  # the upload really carries GPS
        assert original.getexif().get_ifd(GPS_IFD)
    cleaned = _clean(upload)
    with Image.open(io.BytesIO(cleaned)) as stored:
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(stored.info)
        assert stored.size == (300, 600)
    assert b"Exif" not in cleaned
    assert b"PhoneCam" not in cleaned


def test_the_exif_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera was turned; the stored photo is upright without it.
    upload = photo_bytes("JPEG", size=(600, 300), exif=exif_with_gps(orientation=6))
    with Image.open(io.BytesIO(_clean(upload))) as stored:
        assert stored.size == (300, 600)


def test_transparent_parts_become_white():
    upload = photo_bytes("PNG", mode="RGBA", size=(300, 300))
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    with Image.open(io.BytesIO(_clean(out.getvalue()))) as stored:
        assert stored.mode == "RGB"
        assert stored.getpixel((10, 10)) == (255, 255, 255)
    assert _clean(upload)


@pytest.mark.parametrize(
    "data",
    [
        b"not an image at all, whatever the file is called",
        photo_bytes("GIF"),
        photo_bytes("BMP"),
        photo_bytes("JPEG")[:2000],  # truncated
    ],
    ids=["text", "gif", "bmp", "truncated-jpeg"],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_unusable(data):
    with pytest.raises(PhotoUnusable) as caught:
        _clean(data)
    assert caught.value.details["photo"] == ["Not a readable JPEG, PNG or WebP image."]


def test_a_decompression_bomb_is_refused_from_its_header(settings):
    settings.MEASUREMENT_PHOTO_MAX_PIXELS = 40_000_000
    # 10 000 x 10 000 one-bit pixels compress to a few kilobytes.
    bomb = photo_bytes("PNG", size=(10_000, 10_000), mode="1")
    assert len(bomb) < 50_000
    with pytest.raises(PhotoUnusable) as caught:
        _clean(bomb)
    assert "more than 40000000 pixels" in caught.value.details["photo"][0]


def test_a_photo_too_small_to_measure_is_unusable():
    with pytest.raises(PhotoUnusable) as caught:
        _clean(photo_bytes("PNG", size=(150, 400)))
    assert "at least 200 pixels" in caught.value.details["photo"][0]


def test_a_photo_over_the_byte_limit_is_too_large(settings):
    settings.MEASUREMENT_PHOTO_MAX_BYTES = 1024
    data = photo_bytes("PNG", size=(400, 400))
    with pytest.raises(PhotoTooLarge) as caught:
        photo_clean(stream=io.BytesIO(data), size=5000)
    assert caught.value.details == {"max_bytes": 1024}
    assert caught.value.http_status == 413


def test_the_pixel_limit_is_the_setting(settings):
    settings.MEASUREMENT_PHOTO_MAX_PIXELS = 500_000
    assert _clean(photo_bytes("PNG", size=(500, 1000), mode="1"))
    with pytest.raises(PhotoUnusable) as caught:
        _clean(photo_bytes("PNG", size=(501, 1000), mode="1"))
    assert "more than 500000 pixels" in caught.value.details["photo"][0]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_large_photos_are_kept_at_most_2048_pixels_a_side(fmt):
    with Image.open(io.BytesIO(_clean(photo_bytes(fmt, size=(3000, 4500))))) as stored:
        assert stored.size == (1365, 2048)
