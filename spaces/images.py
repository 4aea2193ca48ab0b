"""Photo uploads: the one place that decides what an acceptable image is.

`prepare()` checks an upload completely before anything is stored: its size in bytes,
that Pillow recognises its content as a JPEG, PNG or WebP picture (never the name or the
declared content type), that it does not declare more pixels than we are willing to
decode (a decompression bomb), and that it decodes to the end. It applies the EXIF
orientation, converts to sRGB, drops all metadata (EXIF with GPS positions, XMP, ICC)
and encodes the three WebP variants pages use. `store()` then writes them, removing what
it wrote if a later write fails.
"""

from __future__ import annotations

import io
import secrets
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Pillow reads multi-picture JPEGs from phone cameras (MPO) through its JPEG format.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"
# Variant name and the length of its longest side, largest first.
VARIANTS = (("image", 2000), ("medium", 1200), ("thumbnail", 400))
OUTPUT_FORMAT, OUTPUT_EXTENSION, OUTPUT_QUALITY = "WEBP", "webp", 82

NOT_AN_IMAGE = _("This file is not a photo we can use. Upload a JPEG, PNG or WebP image.")
TOO_LARGE = _("This file is too large (%(size)s). A photo may be at most %(limit)s.")
TOO_MANY_PIXELS = _("This image has too many pixels. A photo may have at most %(limit)s megapixels.")


@dataclass(frozen=True)
class Variant:
    name: str
    content: bytes
    size: tuple[int, int]


@dataclass(frozen=True)
class PreparedImage:
    variants: tuple[Variant, ...]

    @property
    def size(self) -> tuple[int, int]:
        return self.variants[0].size


def prepare(upload) -> PreparedImage:
    """Validate an uploaded file and return its variants; ValidationError if it is no good."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            TOO_LARGE,
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
        )
    try:
        # Pillow warns, rather than fails, between its own limit and twice that.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = _decode(upload)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except ValidationError:
        raise
    except Exception as error:
        # Damaged or hostile files surface from Pillow's decoders as any of a dozen
        # exception types (OSError, SyntaxError, ValueError, struct.error ...).
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error
    return PreparedImage(tuple(_encode_variants(picture)))


def _open(upload) -> Image.Image:
    upload.seek(0)
    return Image.open(upload, formats=ACCEPTED_FORMATS)


def _decode(upload) -> Image.Image:
    with _open(upload) as probe:
        # Only the header has been read so far: refuse huge canvases before decoding them.
        width, height = probe.size
        if width * height > MAX_PIXELS:
            raise _too_many_pixels()
        probe.verify()
    # verify() leaves the image unusable; decode a fresh one to the last byte.
    with _open(upload) as image:
        image.load()
        return _normalized(image)


def _too_many_pixels() -> ValidationError:
    return ValidationError(TOO_MANY_PIXELS, code="too_many_pixels", params={"limit": MAX_PIXELS // 1_000_000})


def _normalized(image: Image.Image) -> Image.Image:
    """Upright, sRGB, no transparency and no metadata at all."""
    image = ImageOps.exif_transpose(image)
    icc_profile = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    if icc_profile:
        image = _to_srgb(image, icc_profile)
    clean = image.convert("RGB") if image.mode != "RGB" else image.copy()
    clean.info = {}
    return clean


def _to_srgb(image: Image.Image, icc_profile: bytes) -> Image.Image:
    # Phone photos are often Display P3; dropping the profile without converting would
    # make their colours dull.
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _encode_variants(picture: Image.Image) -> Iterable[Variant]:
    current = picture
    for name, longest_side in VARIANTS:
        current = current.copy()
        current.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        current.save(buffer, OUTPUT_FORMAT, quality=OUTPUT_QUALITY, method=4)
        yield Variant(name, buffer.getvalue(), current.size)


def store(prepared: PreparedImage, folder: str, storage: Storage) -> dict[str, str]:
    """Write the variants as `<folder>/<variant>/<token>.webp`; {variant: stored name}.

    Nothing stays behind if a write fails half-way: the variants already written are
    deleted before the error propagates.
    """
    token = secrets.token_hex(12)
    names: dict[str, str] = {}
    try:
        for variant in prepared.variants:
            path = f"{folder}/{variant.name}/{token}.{OUTPUT_EXTENSION}"
            names[variant.name] = storage.save(path, ContentFile(variant.content))
    except BaseException:
        delete_files(storage, names.values())
        raise
    return names


def delete_files(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        storage.delete(name)
