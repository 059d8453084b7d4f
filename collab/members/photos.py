"""Profile photos: checked, re-encoded to a small square JPEG with no metadata."""

from io import BytesIO

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from collab.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
SIZE = 320
FORMATS = {"JPEG", "PNG", "WEBP"}

# Pillow's own guard: warn above the limit, raise above twice it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def process_photo(data: bytes) -> bytes:
    """The photo as a SIZE×SIZE JPEG, or DomainError with a message for the person."""
    if len(data) > MAX_BYTES:
        raise DomainError(_("The photo is larger than 5 MB."), field="photo")
    try:
        with Image.open(BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise DomainError(_("Use a JPEG, PNG or WebP image."), field="photo")
            if image.width * image.height > MAX_PIXELS:
                raise DomainError(_("The image has too many pixels."), field="photo")
            image = ImageOps.exif_transpose(image)
            image = ImageOps.fit(
                image.convert("RGB"), (SIZE, SIZE), Image.Resampling.LANCZOS
            )
            out = BytesIO()
            # A fresh image carries no EXIF (location, camera) or other metadata.
            image.save(out, "JPEG", quality=85, optimize=True)
    except DomainError:
        raise
    except Image.DecompressionBombError as error:
        raise DomainError(_("The image has too many pixels."), field="photo") from error
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombWarning,
    ) as error:
        raise DomainError(
            _("This file is not an image we can read."), field="photo"
        ) from error
    return out.getvalue()
