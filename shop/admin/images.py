"""Product pictures uploaded by staff: checked by their content, re-encoded as WebP, resized for the shop.

The upload's name and declared type are ignored: Pillow must recognise the bytes as a JPEG,
PNG, WebP or GIF picture. Re-encoding drops anything hidden in the file (metadata, scripts
in polyglots) and the stored name is random, so a file can neither overwrite another nor
be guessed.
"""
import io
import secrets
import warnings
from datetime import datetime
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select

from ..audit import record
from ..database import unit_of_work
from ..errors import NotFound, ShopError
from ..extensions import db
from ..media.storage import MediaStorage
from ..models import Product, ProductImage

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_SIDE = 1200
MAX_PIXELS = 40_000_000  # refuses decompression bombs long before Pillow's own limit
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
SUBFOLDER = "products"


class ImageRejected(ShopError):
    field = "image"
    message = _l("This file is not a picture the shop can use. Upload a JPEG, PNG or WebP image.")


class ImageTooLarge(ShopError):
    field = "image"
    message = _l("This picture is larger than 2 MB. Please upload a smaller file.")


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS or probe.width * probe.height > MAX_PIXELS:
                    raise ImageRejected()
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
                Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected() from None
    return image


def prepare_image(data: bytes) -> tuple[bytes, int, int]:
    """Check the bytes are a picture of an accepted kind and size; return (WebP bytes, width, height)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLarge()
    if not data:
        raise ImageRejected()
    image = ImageOps.exif_transpose(_open(data))
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, "WEBP", quality=82, method=4)
    return output.getvalue(), image.width, image.height


def add_product_image(product_id: int, stream: BinaryIO, *, storage: MediaStorage, actor_id: int | None,
                      now: datetime) -> ProductImage:
    """Check, re-encode and store an uploaded picture as the product's last image."""
    if db.session.get(Product, product_id) is None:
        raise NotFound()
    webp, width, height = prepare_image(stream.read(MAX_IMAGE_BYTES + 1))
    relative = f"{SUBFOLDER}/{product_id}-{secrets.token_hex(8)}.webp"
    storage.save(relative, webp, "image/webp")
    try:
        with unit_of_work():
            position = db.session.scalar(select(func.coalesce(func.max(ProductImage.position), -1))
                                         .where(ProductImage.product_id == product_id)) + 1
            image = ProductImage(product_id=product_id, path=relative, is_upload=True, width=width, height=height,
                                 position=position)
            db.session.add(image)
            db.session.flush()
            record(actor_id, "product.image_add", f"product:{product_id}", now=now, path=relative,
                   size=f"{width}x{height}")
    except BaseException:
        storage.delete(relative)
        raise
    return image


def _image(image_id: int) -> ProductImage:
    image = db.session.get(ProductImage, image_id)
    if image is None:
        raise NotFound()
    return image


def remove_product_image(image_id: int, *, storage: MediaStorage, actor_id: int | None, now: datetime) -> int:
    """Take a picture off its product (an uploaded file is deleted after the commit); return the product id."""
    with unit_of_work():
        image = _image(image_id)
        product_id, path, is_upload = image.product_id, image.path, image.is_upload
        db.session.delete(image)
        record(actor_id, "product.image_remove", f"product:{product_id}", now=now, path=path)
    if is_upload:
        storage.delete(path)
    return product_id


def make_main_image(image_id: int, *, actor_id: int | None, now: datetime) -> int:
    """Show this picture first on the product's cards and page; return the product id."""
    with unit_of_work():
        image = _image(image_id)
        others = db.session.scalars(select(ProductImage).where(ProductImage.product_id == image.product_id,
                                                                ProductImage.id != image.id)
                                    .order_by(ProductImage.position, ProductImage.id)).all()
        for position, other in enumerate([image, *others]):
            other.position = position
        record(actor_id, "product.image_main", f"product:{image.product_id}", now=now, path=image.path)
    return image.product_id
