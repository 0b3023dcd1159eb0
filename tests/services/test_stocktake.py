"""Stock as a file: the export's figures, reading stock-take files of every shape, the preview and applying it."""
import csv
import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop.admin.stock import receive_delivery
from shop.admin.stockfile import MAX_FILE_BYTES, StockFileRejected, read_stock_file, stock_csv
from shop.admin.stocktake import StocktakeExpired, apply_stocktake, preview_stocktake, stocktake_token
from shop.database import unit_of_work
from shop.extensions import db
from shop.inventory.services import hold_stock, lock_rows
from shop.models import AuditEntry, OutboxMessage, Product, StockMovement, StockNotice
from shop.tokens import sign
from tests.factories import make_product, make_user


@pytest.fixture(autouse=True)
def english(app):
    """Staff reading the shop in English, so refusals read as in the English catalogue."""
    with force_locale("en"):
        yield


def _hold(product, quantity, now):
    with unit_of_work():
        lock_rows([product.id])
        hold_stock(product, quantity, expires_at=now + timedelta(minutes=30), now=now)


def _table(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _file(*lines: str, encoding: str = "utf-8", end: str = "\r\n") -> bytes:
    return end.join(lines).encode(encoding)


def _counts() -> int:
    return db.session.scalar(select(func.count(StockMovement.id)))


def _reasons(preview) -> dict[int, str]:
    return {line.number: line.reason for line in preview.refused}


# --- export ------------------------------------------------------------------------------------------

def test_the_export_lists_every_product_with_on_hand_held_available_threshold_price_and_sale(app, now):
    make_product(stock=7, slug="basil", price=1290000, threshold=2, name="Basil kit")
    make_product(stock=0, slug="cress", price=790050, is_active=False, name="Cress refill")
    _hold(db.session.scalar(select(Product).where(Product.slug == "basil")), 3, now)
    header, basil, cress = _table(stock_csv(now))
    assert header[:3] == ["Slug", "Name", "On hand"] and len(header) == 8
    assert basil == ["basil", "Basil kit", "7", "3", "4", "2", "12900", "yes"]
    assert cress == ["cress", "Cress refill", "0", "0", "0", "3", "7900,50", "no"]


def test_an_expired_hold_does_not_count_as_held_in_the_export(app, now):
    product = make_product(stock=5, slug="basil")
    _hold(product, 2, now - timedelta(hours=1))
    assert _table(stock_csv(now))[1][2:5] == ["5", "0", "5"]


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil\")", "+SUM(A1)", "-2+3", "@cmd", " =1+1"])
def test_a_product_name_that_looks_like_a_formula_is_defused_in_the_export(app, now, name):
    make_product(stock=1, name=name)
    assert _table(stock_csv(now))[1][1] == "'" + name


# --- reading files -----------------------------------------------------------------------------------

def test_the_edited_export_is_read_by_its_slug_and_on_hand_columns(app, now):
    make_product(stock=7, slug="basil", name="Basil; the big kit")
    header, row = _table(stock_csv(now))
    row[2] = "5"
    with force_locale("ru"):  # the export saved in one language is read in any other
        lines = read_stock_file(b"\xef\xbb\xbf" + _file(";".join(header), ";".join(f'"{cell}"' for cell in row)))
    assert [(line.code, line.counted) for line in lines] == [("basil", "5")]


@pytest.mark.parametrize("locale", ["ru", "kk", "en"])
def test_the_export_saved_by_excel_in_cp1251_is_read_back(app, now, locale):
    make_product(stock=7, slug="basil", name="Базилик")
    with force_locale(locale):
        text = stock_csv(now).decode("utf-8-sig").replace(";7;", ";4;", 1)
        lines = read_stock_file(text.encode("cp1251", errors="replace"))
    assert [(line.code, line.counted) for line in lines] == [("basil", "4")]


@pytest.mark.parametrize("data", [
    _file("basil;5", "cress;0"),
    _file("basil,5", "cress,0", end="\n"),
    _file("slug,counted", "basil,5", "cress,0"),
    _file("Артикул;Количество", "basil;5", "cress;0", encoding="cp1251"),
    _file("Код;Название;Посчитано", "basil;Базилик;5", "cress;Кресс;0", encoding="cp1251"),
    b"\xef\xbb\xbf" + _file("Slug;Counted", "basil;5", "cress;0"),
    _file("Slug\tCounted", "basil\t5", "cress\t0", encoding="utf-16"),
    _file("basil;5", "", ";", "cress;0", ""),
    _file("basil;5", "cress;0", end="\r"),
])
def test_stock_take_files_of_every_common_shape_read_the_same(app, data):
    assert [(line.code, line.counted) for line in read_stock_file(data)] == [("basil", "5"), ("cress", "0")]


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"\x00\x01\x02garbage\xff\xfe\x00", "not a table"),
    (bytes(range(256)) * 4, "not a table"),
    (b"PK\x03\x04" + b"\x00" * 100, "Excel workbook"),
    (b"a;b\n" * (MAX_FILE_BYTES // 4 + 1), "larger than 1 MB"),
    (_file("Slug;Price", "basil;5"), "column of counted quantities"),
    (_file("basil;5") * 3 + b"\r\n" + b"x;1\r\n" * 6000, "more than 5000 lines"),
    (b'basil;"5\r\n' + b"x" * 200_000, "not a table"),
])
def test_a_file_that_is_no_stock_take_table_is_refused_with_a_reason(app, data, words):
    with pytest.raises(StockFileRejected) as refused:
        read_stock_file(data)
    assert words in str(refused.value.message)


# --- preview -----------------------------------------------------------------------------------------

def test_the_preview_explains_each_refused_line_and_changes_nothing(app, now):
    make_product(stock=4, slug="basil")
    make_product(stock=4, slug="cress")
    held = make_product(stock=6, slug="mint")
    _hold(held, 5, now)
    for slug in ("a", "b", "c", "d", "e", "f"):
        make_product(stock=1, slug=slug)
    before = (_counts(), db.session.scalar(select(func.count(AuditEntry.id))))
    preview = preview_stocktake(_file(
        "slug;counted", "basil;6", "ghost;3", "cress;2", "cress;3", "a;2.5", "b;-1", "c;1000001", "mint;4", "d;",
        ";4", "e;abc", "f;１", "'basil2;1"), now)
    reasons = _reasons(preview)
    assert [(line.product.slug, line.on_hand, line.counted, line.difference) for line in preview.lines] == [
        ("basil", 4, 6, 2)]
    assert reasons[3] == "No product has the code “ghost”."
    assert reasons[4] == reasons[5] == "This product is on more than one line (4, 5); keep one."
    assert reasons[6] == "“2.5” is not a whole number."
    assert reasons[7] == "A count cannot be negative."
    assert reasons[8] == "More than 1 000 000 units: check this count."
    assert reasons[9] == "Open orders hold 5 units; the count cannot be lower."
    assert reasons[10] == "No counted quantity on this line."
    assert reasons[11] == "No product code (slug) on this line."
    assert reasons[12] == "“abc” is not a whole number." and reasons[13] == "“１” is not a whole number."
    assert reasons[14] == "No product has the code “'basil2”."
    assert (_counts(), db.session.scalar(select(func.count(AuditEntry.id)))) == before
    assert db.session.get(Product, held.id).on_hand == 6


def test_the_preview_separates_differences_from_matching_lines(app, now):
    make_product(stock=4, slug="basil")
    make_product(stock=9, slug="cress")
    make_product(stock=2, slug="mint")
    preview = preview_stocktake(_file("BASIL;1 000", "cress;9", "mint; 0 "), now)
    assert [(line.product.slug, line.difference) for line in preview.changes] == [("basil", 996), ("mint", -2)]
    assert (len(preview.lines), preview.units_added, preview.units_removed) == (3, 996, 2)


# --- apply -------------------------------------------------------------------------------------------

def _token(data: bytes, actor, now, note="Stock-take 2026-05-01"):
    return stocktake_token(preview_stocktake(data, now), actor_id=actor.id, note=note)


def test_applying_writes_one_movement_and_one_audit_entry_per_changed_line(app, now):
    staff = make_user(role="staff")
    basil, cress, mint = (make_product(stock=4, slug=slug) for slug in ("basil", "cress", "mint"))
    before = _counts()
    result = apply_stocktake(_token(_file("basil;6", "cress;4", "mint;1", "ghost;1"), staff, now),
                             actor_id=staff.id, now=now)
    assert result.refused == []
    assert [(m.product_id, m.kind, m.delta, m.level_after, m.reason, m.actor_id) for m in result.applied] == [
        (basil.id, "counted", 2, 6, "Stock-take 2026-05-01", staff.id),
        (mint.id, "counted", -3, 1, "Stock-take 2026-05-01", staff.id)]
    assert _counts() == before + 2
    db.session.expire_all()
    assert [db.session.get(Product, p.id).on_hand for p in (basil, cress, mint)] == [6, 4, 1]
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.target, e.actor_id) for e in entries] == [
        ("stock.counted", f"product:{basil.id}", staff.id), ("stock.counted", f"product:{mint.id}", staff.id),
        ("stock.stocktake", "stock", staff.id)]
    assert '"source": "stocktake"' in entries[0].details and '"applied": 2' in entries[2].details


def test_a_line_whose_stock_moved_since_the_preview_is_refused_and_the_others_applied(app, now):
    staff = make_user(role="staff")
    basil, cress = make_product(stock=4, slug="basil"), make_product(stock=4, slug="cress")
    token = _token(_file("basil;6", "cress;1"), staff, now)
    receive_delivery(cress.id, 3, note="Greenhouse", actor_id=None, now=now)
    result = apply_stocktake(token, actor_id=staff.id, now=now)
    assert [m.product_id for m in result.applied] == [basil.id]
    assert [(line.product.id, line.reason) for line in result.refused] == [
        (cress.id, "On hand changed from 4 to 7 since the preview; count this product again.")]
    db.session.expire_all()
    assert db.session.get(Product, cress.id).on_hand == 7


def test_a_preview_applied_twice_changes_stock_once(app, now):
    staff = make_user(role="staff")
    basil = make_product(stock=4, slug="basil")
    token = _token(_file("basil;6"), staff, now)
    apply_stocktake(token, actor_id=staff.id, now=now)
    again = apply_stocktake(token, actor_id=staff.id, now=now)
    assert again.applied == [] and "changed from 4 to 6" in again.refused[0].reason
    db.session.expire_all()
    assert db.session.get(Product, basil.id).on_hand == 6


def test_a_count_below_holds_taken_since_the_preview_is_refused(app, now):
    staff = make_user(role="staff")
    basil = make_product(stock=5, slug="basil")
    token = _token(_file("basil;2"), staff, now)
    _hold(basil, 4, now)
    result = apply_stocktake(token, actor_id=staff.id, now=now)
    assert result.applied == [] and result.refused[0].reason.startswith("Open orders now hold more")
    db.session.expire_all()
    assert db.session.get(Product, basil.id).on_hand == 5


def test_a_forged_foreign_or_other_staffs_preview_is_refused(app, now):
    staff, other = make_user(role="staff"), make_user(role="staff")
    make_product(stock=4, slug="basil")
    token = _token(_file("basil;6"), staff, now)
    for bad, actor in [(token, other), (token[:-2] + "xx", staff), (sign("order_link", "x"), staff), ("", staff),
                       (sign("stocktake", ["not", "a", "dict"]), staff)]:
        with pytest.raises(StocktakeExpired):
            apply_stocktake(bad, actor_id=actor.id, now=now)
    assert _counts() == 1


def test_counting_a_sold_out_kit_back_up_tells_its_waiting_subscribers(app, now):
    staff = make_user(role="staff")
    product = make_product(stock=0, slug="basil")
    db.session.add(StockNotice(product_id=product.id, email="fan@example.kz", locale="en", status="waiting",
                               confirmed_at=now))
    db.session.commit()
    apply_stocktake(_token(_file("basil;3"), staff, now), actor_id=staff.id, now=now)
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.dedupe_key.startswith("back-in-stock:"))) == 1
