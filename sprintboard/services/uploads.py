"""What an uploaded file is, and making it safe to keep: no database here (services.attachments
keeps the rows).

The type comes from the bytes (`filetype`), never from the name or the browser; text and CSV,
which have no signature, only by their name once the bytes hold no NUL. Images are decoded by
Pillow under a pixel limit (decompression bombs), turned upright (EXIF orientation), written
anew without any metadata (EXIF, GPS, comments: a photo taken at a venue must not tell where
someone lives), HEIC/HEIF becomes JPEG, and a small JPEG thumbnail is made at the same time:
the image is decoded for the stripping anyway, so the thumbnail costs a fraction more.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageOps

from . import DomainError

THUMBNAIL_SIZE = 480
SNIFF_BYTES = 64 * 1024
TEXT_TYPES = {"txt": "text/plain", "md": "text/plain", "csv": "text/csv"}
# Pillow's format for each image type we keep, and the type kept.
IMAGE_FORMATS = {
    "image/jpeg": ("JPEG", "image/jpeg"),
    "image/heic": ("JPEG", "image/jpeg"),
    "image/heif": ("JPEG", "image/jpeg"),
    "image/png": ("PNG", "image/png"),
    "image/webp": ("WEBP", "image/webp"),
    "image/gif": ("GIF", "image/gif"),
}
SAME_TYPE = {"image/apng": "image/png"}
_heif_ready = False


class UploadRefused(DomainError):
    """One file cannot be attached (422; 413 when it is too large)."""


class TooLarge(UploadRefused):
    status = 413


@dataclass
class Prepared:
    """A file ready to be stored: its bytes (a temporary file at position 0) and what they are."""

    filename: str
    content_type: str
    data: BinaryIO
    size: int
    key: str  # SHA-256 of `data`
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None

    @property
    def thumbnail_key(self) -> str | None:
        return f"{self.key}.thumb{THUMBNAIL_SIZE}" if self.thumbnail is not None else None


def human_size(n: int) -> str:
    """A byte count as people read it, in the current language."""
    if n < 1024:
        return _("%(n)s B", n=format_decimal(n))
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            value = format_decimal(round(n, 1) if n < 100 else round(n))
            return {"KB": _("%(n)s KB", n=value), "MB": _("%(n)s MB", n=value)}.get(
                unit, _("%(n)s GB", n=value)
            )
    raise AssertionError("unreachable")


def clean_filename(name: str | None) -> str:
    """The name to show and to offer for download: no folders, control characters (newlines),
    leading dots or runs of spaces, at most 200 characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).lstrip(". ").rstrip(" ")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 199 - len(ext)] + dot + ext if dot and len(ext) <= 12 else name[:200]
    return name or "file"


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def sniff(head: bytes, filename: str) -> str | None:
    """The file's type from its first bytes (text and CSV: from the name, if the bytes allow)."""
    kind = filetype.guess_mime(head)
    if kind:
        return SAME_TYPE.get(kind, kind)
    if b"\0" not in head and _extension(filename) in TEXT_TYPES:
        return TEXT_TYPES[_extension(filename)]
    return None


def _spool(stream: BinaryIO, max_bytes: int, filename: str):
    """The upload copied to a temporary file (at most max_bytes), its size and SHA-256."""
    out = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (handed on)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(256 * 1024):
        size += len(chunk)
        if size > max_bytes:
            out.close()
            raise TooLarge(
                _("“%(name)s” is larger than %(limit)s.", name=filename, limit=human_size(max_bytes))
            )
        digest.update(chunk)
        out.write(chunk)
    out.seek(0)
    return out, size, digest.hexdigest()


def prepare(filename: str | None, stream: BinaryIO, *, max_bytes: int, max_pixels: int, allowed) -> Prepared:
    """Check one uploaded file and make it safe to keep (UploadRefused when it cannot be)."""
    name = clean_filename(filename)
    data, size, key = _spool(stream, max_bytes, name)
    if size == 0:
        data.close()
        raise UploadRefused(_("“%(name)s” is empty.", name=name))
    kind = sniff(data.read(SNIFF_BYTES), name)
    data.seek(0)
    if kind is None or kind not in allowed:
        data.close()
        raise UploadRefused(
            _(
                "“%(name)s” cannot be attached: only PDF, images (JPEG, PNG, WebP, GIF, HEIC), "
                "office documents, plain text and CSV files are allowed.",
                name=name,
            )
        )
    if kind in IMAGE_FORMATS:
        try:
            return _prepare_image(name, kind, data, max_pixels)
        finally:
            data.close()
    return Prepared(filename=name, content_type=kind, data=data, size=size, key=key)


def _open_image(name: str, data: BinaryIO, max_pixels: int) -> Image.Image:
    global _heif_ready
    if not _heif_ready:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_ready = True
    too_many = _(
        "The image “%(name)s” has too many pixels (at most %(n)s million).",
        name=name,
        n=format_decimal(max_pixels // 1_000_000),
    )
    try:
        image = Image.open(data)
        frames = getattr(image, "n_frames", 1)
        if image.width * image.height * min(frames, 100) > max_pixels or frames > 100:
            raise UploadRefused(too_many)
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UploadRefused(too_many) from error
    except UploadRefused:
        raise
    except Exception as error:  # noqa: BLE001 - any decoder error means "not a readable image"
        raise UploadRefused(_("The image “%(name)s” could not be read.", name=name)) from error
    return image


def _prepare_image(name: str, kind: str, data: BinaryIO, max_pixels: int) -> Prepared:
    image = _open_image(name, data, max_pixels)
    fmt, stored_type = IMAGE_FORMATS[kind]
    icc = image.info.get("icc_profile")
    animated = fmt == "GIF" and getattr(image, "n_frames", 1) > 1
    upright = image if animated else ImageOps.exif_transpose(image)
    upright.info = {}  # nothing of the original's metadata is written again
    if fmt == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    options = {"icc_profile": icc} if icc and fmt != "GIF" else {}
    if fmt == "JPEG":
        options["quality"] = 90
    elif fmt == "WEBP":
        options["quality"] = 90
    if animated:
        upright.save(out, fmt, save_all=True)
    else:
        upright.save(out, fmt, **options)
    body = out.getvalue()
    if stored_type == "image/jpeg" and kind != "image/jpeg":
        stem = name.rpartition(".")[0] if "." in name else name
        name = f"{stem}.jpg"
    return Prepared(
        filename=name,
        content_type=stored_type,
        data=io.BytesIO(body),
        size=len(body),
        key=hashlib.sha256(body).hexdigest(),
        thumbnail=_thumbnail(upright),
        width=upright.width,
        height=upright.height,
    )


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    if thumb.mode in ("RGBA", "LA", "P", "PA"):
        thumb = thumb.convert("RGBA")
        background = Image.new("RGB", thumb.size, "white")
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return out.getvalue()
