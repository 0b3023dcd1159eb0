"""CSV files that Excel opens correctly with Cyrillic: UTF-8 with a byte-order mark, ``;`` between cells."""
import csv
import io
from collections.abc import Iterable

from ..inputs import without_control

# Excel runs a cell starting with one of these as a formula ("CSV injection"), also after leading blanks and
# line breaks, and in their full-width forms.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_BLANKS = " \u00a0\u3000\t\r\n"


def _cell(value) -> str:
    if isinstance(value, int | float):
        return str(value)
    text = without_control("" if value is None else str(value))
    if text.startswith(_FORMULA_STARTS) or text.lstrip(_BLANKS).startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """Return a CSV document as bytes: BOM, semicolons, CRLF line ends, formulas defused, no control characters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_cell(name) for name in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")
