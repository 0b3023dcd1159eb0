"""A stock-take from a file: every counted line previewed against on hand, then the differences applied at once.

The preview changes nothing. It signs the lines it accepted, each with the on-hand level it was compared
with, into a token that the confirmation posts back; applying checks that level again under the row lock,
so a sale or delivery since the preview refuses that line instead of applying a stale difference. A token
applied twice refuses its lines the second time for the same reason.
"""
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import record
from ..catalog.back_in_stock import notify_back_in_stock
from ..clock import to_local
from ..database import unit_of_work
from ..errors import ShopError, StockConflict
from ..extensions import db
from ..inputs import one_line
from ..inventory.services import count_stock, held_units, lock_rows
from ..models import Product, StockMovement
from ..tokens import BadToken, sign, unsign
from .stock import audit_movement
from .stockfile import FileLine, read_stock_file

MAX_COUNTED = 1_000_000  # as the product page's count form
MAX_TOKEN = 200_000
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_SIGNED = re.compile(r"[+-]?[0-9]+")


class StocktakeExpired(ShopError):
    message = _l("This preview has expired or was changed. Upload the file again to see a new preview.")


@dataclass(frozen=True)
class CountedLine:
    """A line the preview accepted: the product, its on hand and holds now, and the count."""

    number: int
    product: Product
    on_hand: int
    held: int
    counted: int

    @property
    def difference(self) -> int:
        return self.counted - self.on_hand


@dataclass(frozen=True)
class RefusedLine:
    """A line left out, with the reason in words; ``product`` when the line named one."""

    number: int
    code: str
    counted: str
    reason: str
    product: Product | None = None


@dataclass
class StocktakePreview:
    """What applying a stock-take file would do, line by line."""

    lines: list[CountedLine] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)

    @property
    def changes(self) -> list[CountedLine]:
        return [line for line in self.lines if line.difference]

    @property
    def units_added(self) -> int:
        return sum(line.difference for line in self.lines if line.difference > 0)

    @property
    def units_removed(self) -> int:
        return -sum(line.difference for line in self.lines if line.difference < 0)


def _count(text: str) -> tuple[int | None, str]:
    """Return (the count, "") or (None, why it is not one)."""
    cleaned = _SPACES.sub("", text)
    if not cleaned:
        return None, _("No counted quantity on this line.")
    if not _SIGNED.fullmatch(cleaned):
        return None, _("“%(value)s” is not a whole number.", value=one_line(text, limit=40))
    if cleaned.startswith("-") and cleaned.strip("-0"):
        return None, _("A count cannot be negative.")
    digits = cleaned.lstrip("+-").lstrip("0") or "0"
    if len(digits) > 7 or int(digits) > MAX_COUNTED:
        return None, _("More than %(max)s units: check this count.", max=f"{MAX_COUNTED:,}".replace(",", " "))
    return int(digits), ""


def _code(text: str) -> str:
    return text.strip().lstrip("'").strip().casefold()  # "'" is how the export defuses a formula


def _products(codes: set[str], now: datetime) -> dict[str, tuple[Product, int]]:
    codes = {code for code in codes if len(code) <= 120}  # the slug column's length: longer ones match nothing
    if not codes:
        return {}
    rows = db.session.execute(select(Product, held_units(now)).where(Product.slug.in_(sorted(codes))))
    return {product.slug: (product, max(held, 0)) for product, held in rows}


def _judge(line: FileLine, found: tuple[Product, int] | None, repeats: list[int]) -> CountedLine | RefusedLine:
    code = _code(line.code)
    refuse = lambda reason: RefusedLine(line.number, one_line(line.code, limit=120),  # noqa: E731
                                        one_line(line.counted, limit=40), reason, found[0] if found else None)
    if not code:
        return refuse(_("No product code (slug) on this line."))
    if found is None:
        return refuse(_("No product has the code “%(code)s”.", code=one_line(line.code, limit=120)))
    if len(repeats) > 1:
        return refuse(_("This product is on more than one line (%(lines)s); keep one.",
                        lines=", ".join(map(str, repeats))))
    counted, why = _count(line.counted)
    if counted is None:
        return refuse(why)
    product, held = found
    if counted < held:
        return refuse(_("Open orders hold %(held)d units; the count cannot be lower.", held=held))
    return CountedLine(line.number, product, product.on_hand, held, counted)


def preview_stocktake(data: bytes, now: datetime) -> StocktakePreview:
    """Read a stock-take file and compare each line with stock now; change nothing. Raise StockFileRejected."""
    file_lines = read_stock_file(data)
    found = _products({_code(line.code) for line in file_lines if _code(line.code)}, now)
    repeats: dict[str, list[int]] = {}
    for line in file_lines:
        repeats.setdefault(_code(line.code), []).append(line.number)
    preview = StocktakePreview()
    for line in file_lines:
        judged = _judge(line, found.get(_code(line.code)), repeats[_code(line.code)])
        (preview.lines if isinstance(judged, CountedLine) else preview.refused).append(judged)
    return preview


def default_note(now: datetime) -> str:
    """Return the ledger note of a stock-take made on ``now``'s day in Almaty."""
    return _("Stock-take %(date)s", date=f"{to_local(now):%Y-%m-%d}")


def stocktake_token(preview: StocktakePreview, *, actor_id: int, note: str) -> str:
    """Sign the changes a preview showed, each with the on hand it was compared with, for the confirmation."""
    rows = [[line.product.id, line.on_hand, line.counted] for line in preview.changes]
    return sign("stocktake", {"actor": actor_id, "note": one_line(note, limit=500), "rows": rows})


def _signed_rows(token: str, actor_id: int) -> tuple[str, list[tuple[int, int, int]]]:
    try:
        data = unsign("stocktake", token, max_length=MAX_TOKEN)
    except BadToken:
        raise StocktakeExpired() from None
    if not isinstance(data, dict) or data.get("actor") != actor_id:
        raise StocktakeExpired()
    return str(data["note"]), [tuple(row) for row in data["rows"]]


@dataclass
class StocktakeResult:
    """What applying did: the movements written and the lines refused because stock moved meanwhile."""

    applied: list[StockMovement] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)


def _apply_line(product: Product, seen: int, counted: int, *, note: str, actor_id: int, now: datetime):
    """Return the movement of one counted line, or the reason it is refused now (only flushes)."""
    if product.on_hand != seen:
        return _("On hand changed from %(seen)d to %(now)d since the preview; count this product again.",
                 seen=seen, now=product.on_hand)
    try:
        with db.session.begin_nested():
            movement = count_stock(product, counted, now=now, reason=note, actor_id=actor_id)
            audit_movement(movement, actor_id, now, source="stocktake")
    except StockConflict:
        return _("Open orders now hold more than the count; count this product again.")
    if movement.delta > 0:
        notify_back_in_stock(product.id, now=now)
    return movement


def apply_stocktake(token: str, *, actor_id: int, now: datetime) -> StocktakeResult:
    """Apply the counts a preview showed, as one ledger movement each, in one unit of work; raise StocktakeExpired.

    A line whose on hand moved since the preview is refused, not applied.
    """
    note, rows = _signed_rows(token, actor_id)
    result = StocktakeResult()
    with unit_of_work():
        lock_rows([product_id for product_id, _seen, _counted in rows])
        products = {product.id: product for product in db.session.scalars(
            select(Product).where(Product.id.in_([row[0] for row in rows]))
            .execution_options(populate_existing=True))}
        for product_id, seen, counted in sorted(rows):
            product = products.get(product_id)
            if product is None:
                continue  # products are never deleted; a token names only products that existed
            outcome = _apply_line(product, seen, counted, note=note, actor_id=actor_id, now=now)
            if isinstance(outcome, StockMovement):
                result.applied.append(outcome)
            else:
                result.refused.append(RefusedLine(0, product.slug, str(counted), outcome, product))
        if rows:
            record(actor_id, "stock.stocktake", "stock", now=now, note=note, applied=len(result.applied),
                   refused=len(result.refused))
    return result
