"""Stock as a CSV file: the export staff open in Excel, and reading a stock-take file back line by line.

The export is the shop's usual Excel CSV (`csvfile`). A stock-take file may be that export with its
"On hand" column edited, or any table with a product code (slug) and a counted quantity, with or without
a header row. Excel saves CSV in the Windows code page of its language (cp1251 for Russian) or, as
"Unicode text", in UTF-16 with tabs; both are read as well as UTF-8 with or without a byte-order mark.
"""
import csv
import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import ShopError
from ..extensions import db
from ..i18n import current_locale
from ..inputs import has_control
from ..inventory.services import held_units
from ..models import Product
from ..models.common import LOCALES
from .csvfile import csv_bytes

MAX_FILE_BYTES = 1024 * 1024  # a farm's whole catalogue is a few kilobytes
MAX_LINES = 5000
EXPORT_COLUMNS = 8
ID_HEADER, NAME_HEADER, ON_HAND_HEADER = _l("Slug"), _l("Name"), _l("On hand")
COUNTED_HEADER = _l("Counted quantity")
ID_ALIASES = {"slug", "sku", "code", "артикул", "код", "код товара"}
COUNTED_ALIASES = {"counted", "count", "quantity", "qty", "количество", "посчитано", "пересчёт", "факт", "саны"}


class StockFileRejected(ShopError):
    """The upload as a whole cannot be read as a stock-take table; ``message`` says why."""

    field = "file"
    message = _l("This file is not a table the shop can read. Save it from Excel as CSV and upload that.")


def _tenge_as_typed(amount_minor: int) -> str:
    # As staff type a price: "12900", or "12900,50" with the decimal comma Excel expects next to semicolons.
    whole, tiyn = divmod(amount_minor, 100)
    return f"{whole},{tiyn:02d}" if tiyn else str(whole)


def stock_csv(now: datetime) -> bytes:
    """Return every product with on hand, held, available, threshold, price and whether it is on sale, as CSV."""
    locale = current_locale()
    header = [ID_HEADER, NAME_HEADER, ON_HAND_HEADER, _("Held"), _("Available"), _("Low-stock threshold"),
              _("Price, ₸"), _("On sale")]
    rows = []
    for product, held in db.session.execute(select(Product, held_units(now)).order_by(Product.slug)):
        held = max(min(held, product.on_hand), 0)
        rows.append([product.slug, product.tr("name", locale), product.on_hand, held, product.on_hand - held,
                     product.low_stock_threshold, _tenge_as_typed(product.price_minor),
                     _("yes") if product.is_active else _("no")])
    return csv_bytes([str(name) for name in header], rows)


@dataclass(frozen=True)
class FileLine:
    """One line of a stock-take file: where it is, the product code and the count as written."""

    number: int
    code: str
    counted: str


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise StockFileRejected(_("The file is larger than 1 MB. Upload only the product code and count columns."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise StockFileRejected(_("This is an Excel workbook. In Excel choose “Save as”, then “CSV”, and upload "
                                  "that file."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1251")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not has_control(text.lstrip("\ufeff"), keep_line_breaks=True):
            return text.lstrip("\ufeff")
    raise StockFileRejected()


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {mark: first.count(mark) for mark in (";", "\t", ",")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def _rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    try:
        for cells in reader:
            if len(rows) >= MAX_LINES:
                raise StockFileRejected(_("The file has more than %(num)d lines.", num=MAX_LINES))
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
    except csv.Error:
        raise StockFileRejected() from None
    return rows


def _name(cell: str) -> str:
    return " ".join(cell.strip().lstrip("'").casefold().rstrip(":").split())


def _names(message, aliases: set[str]) -> set[str]:
    names = set(aliases)
    for locale in LOCALES:
        with force_locale(locale):
            names.add(_name(str(message)))
    return names


def _columns(header: list[str]) -> tuple[int, int] | None:
    """Return the positions of the code and count columns named in a header row, or None when it is data."""
    names = [_name(cell) for cell in header]
    codes = _names(ID_HEADER, ID_ALIASES)
    counted = _names(COUNTED_HEADER, COUNTED_ALIASES)
    on_hand = _names(ON_HAND_HEADER, set())
    code = next((i for i, name in enumerate(names) if name in codes), None)
    count = next((i for i, name in enumerate(names) if name in counted),
                 next((i for i, name in enumerate(names) if name in on_hand), None))
    if code is None and count is None:
        return None
    if count is None and code == 0 and len(names) == EXPORT_COLUMNS:
        count = 2  # our own export, its Kazakh "On hand" mangled by a code page that has no Kazakh letters
    if code is None or count is None:
        raise StockFileRejected(_("The file needs a column of product codes (slug) and a column of counted "
                                  "quantities (“On hand” or “Counted quantity”)."))
    return code, count


def read_stock_file(data: bytes) -> list[FileLine]:
    """Return the lines of a stock-take file with their code and count as written; raise StockFileRejected."""
    rows = _rows(_decode(data))
    if not rows:
        raise StockFileRejected(_("The file is empty."))
    columns = _columns(rows[0][1])
    if columns is None:
        columns = (0, 1)  # no header: the product code, then the count
    else:
        rows = rows[1:]
    code, count = columns
    return [FileLine(number, _cell(cells, code), _cell(cells, count)) for number, cells in rows]


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""
