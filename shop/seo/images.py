"""Share pictures for messengers and social networks: a 1200×630 PNG per product, course and the home page.

Messengers show raster pictures only (not SVG), so the shop draws one: the farm's green, the title in the
page's language, a line under it (the price, the next start), and the shop's name. Drawn once per text and
kept in the process.
"""
import io
import textwrap
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
GREEN, LIGHT, WHITE = (47, 125, 50), (227, 241, 223), (255, 255, 255)
FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")


def _font(size: int, bold: bool = True) -> ImageFont.ImageFont:
    for path in (FONTS if bold else FONTS[1:]):
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=512)
def share_picture(title: str, subtitle: str, brand: str) -> bytes:
    """Return the PNG bytes of a share picture with ``title`` (wrapped), ``subtitle`` and ``brand``."""
    image = Image.new("RGB", (WIDTH, HEIGHT), GREEN)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 120, WIDTH, HEIGHT), fill=LIGHT)
    size = 76
    lines = textwrap.wrap(title, width=24)[:3]
    while size > 40 and max((draw.textlength(line, font=_font(size)) for line in lines), default=0) > WIDTH - 140:
        size -= 6
    y = 90
    for line in lines:
        draw.text((70, y), line, font=_font(size), fill=WHITE)
        y += int(size * 1.25)
    if subtitle:
        draw.text((70, y + 30), subtitle, font=_font(48, bold=False), fill=LIGHT)
    draw.text((70, HEIGHT - 88), brand, font=_font(44), fill=GREEN)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
