"""CSV files that Excel opens correctly with Cyrillic: UTF-8 with a byte-order mark, ``;`` between cells."""
import csv
import io
from collections.abc import Iterable

# Excel runs a cell starting with one of these as a formula ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if isinstance(value, int | float):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    """Return a CSV document as bytes: BOM, semicolons, CRLF line ends, formulas defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_cell(name) for name in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")
