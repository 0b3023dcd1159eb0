"""Staff pages for stock as a file: the CSV download, a stock-take uploaded, its preview, applying it, bad uploads."""
import io
import re

import pytest
from sqlalchemy import func, select

from shop.admin.stock import receive_delivery
from shop.clock import utcnow
from shop.extensions import db
from shop.models import Product, StockMovement
from tests.conftest import login, running
from tests.factories import make_product, make_user


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


def _upload(client, data: bytes, note: str = "", name: str = "count.csv"):
    return client.post("/admin/products/stocktake", data={"file": (io.BytesIO(data), name), "note": note},
                       content_type="multipart/form-data")


def _token(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def _movements() -> int:
    return db.session.scalar(select(func.count(StockMovement.id)))


def _on_hand(product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).on_hand


def test_staff_download_the_stock_csv_from_the_products_page(client, staff):
    make_product(stock=4, slug="basil", name="=cmd|' /C calc'!A0")
    page = client.get("/admin/products/").get_data(as_text=True)
    assert 'href="/en/admin/products/stock.csv"' in page and 'href="/en/admin/products/stocktake"' in page
    response = client.get("/admin/products/stock.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="stock-\d{4}-\d{2}-\d{2}\.csv"', response.headers["Content-Disposition"])
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Slug;Name;On hand;Held;Available;Low-stock threshold;Price, ₸;On sale"
    assert "basil;'=cmd|' /C calc'!A0;4;0;4;3;7900;yes" in text


def test_the_stock_file_pages_are_for_staff_only(app, client):
    assert client.get("/admin/products/stock.csv").status_code == 303
    make_user(role="customer", email="buyer@example.kz")
    client.post("/account/login", data={"email": "buyer@example.kz", "password": "correct horse battery"})
    assert client.get("/admin/products/stock.csv").status_code == 403
    assert client.get("/admin/products/stocktake").status_code == 403
    assert _upload(client, b"basil;5").status_code == 403
    assert client.post("/admin/products/stocktake/apply", data={"token": "x"}).status_code == 403


def test_the_preview_shows_differences_and_refusals_and_changes_nothing(client, staff):
    basil, cress = make_product(stock=4, slug="basil", name="Basil kit"), make_product(stock=9, slug="cress")
    make_product(stock=2, slug="mint")
    before = _movements()
    response = _upload(client, b"slug;counted\r\nbasil;6\r\ncress;9\r\nghost;2\r\ncress;x\r\nmint;2\r\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing has changed yet." in page and "1 line with a difference" in page
    assert "Basil kit" in page and "<strong>+2</strong>" in page
    assert "No product has the code “ghost”." in page
    assert "This product is on more than one line (3, 5); keep one." in page
    assert "Apply 1 difference" in page
    assert re.search(r"<li>Line 6: Kit \d+ \(mint\) — 2</li>", page)
    assert _movements() == before and _on_hand(basil) == 4 and _on_hand(cress) == 9


def test_confirming_the_preview_applies_it_and_says_what_changed(client, staff):
    basil, cress = make_product(stock=4, slug="basil", name="Basil kit"), make_product(stock=5, slug="cress")
    token = _token(_upload(client, b"basil;6\r\ncress;1\r\n", note="May count").get_data(as_text=True))
    response = client.post("/admin/products/stocktake/apply", data={"token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-applied="2"' in page and "Basil kit" in page
    assert (_on_hand(basil), _on_hand(cress)) == (6, 1)
    reasons = db.session.scalars(select(StockMovement.reason).where(StockMovement.kind == "counted")).all()
    assert reasons == ["May count", "May count"]
    assert "May count" in client.get(f"/admin/products/{basil.id}").get_data(as_text=True)


def test_a_stale_preview_refuses_the_line_that_moved(client, staff):
    basil = make_product(stock=4, slug="basil", name="Basil kit")
    token = _token(_upload(client, b"basil;6").get_data(as_text=True))
    receive_delivery(basil.id, 1, note="", actor_id=None, now=utcnow())
    page = client.post("/admin/products/stocktake/apply", data={"token": token}).get_data(as_text=True)
    assert 'data-applied="0"' in page and "On hand changed from 4 to 5 since the preview" in page
    assert _on_hand(basil) == 5


def test_a_forged_preview_is_refused_with_a_message(client, staff):
    response = client.post("/admin/products/stocktake/apply", data={"token": "forged"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/products/stocktake")
    assert "This preview has expired" in client.get("/admin/products/stocktake").get_data(as_text=True)
    assert client.post("/admin/products/stocktake/apply", data={}).status_code == 400


def test_the_default_ledger_note_names_the_stock_take_day(client, staff):
    make_product(stock=4, slug="basil")
    page = _upload(client, b"basil;6").get_data(as_text=True)
    assert re.search(r"with the note “Stock-take \d{4}-\d{2}-\d{2}”", page)


@pytest.mark.parametrize(("data", "words"), [
    (b"\x00\x01garbage\xff", "not a table the shop can read"),
    (b"PK\x03\x04\x14\x00", "This is an Excel workbook"),
    (b"x;1\r\n" * 300_000, "larger than 1 MB"),
    (b"", "The file is empty."),
    (None, "This field is required."),
])
def test_a_bad_upload_gets_the_form_again_with_a_message(client, staff, data, words):
    response = _upload(client, data) if data is not None else client.post("/admin/products/stocktake", data={})
    assert response.status_code == 400 and words in response.get_data(as_text=True)


def test_an_upload_beyond_the_request_limit_says_the_file_is_too_large(client, staff):
    response = _upload(client, b"x" * (6 * 1024 * 1024))
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


@pytest.fixture
def csrf_client(app_factory, request):
    with running(app_factory(WTF_CSRF_ENABLED=True), request) as app:
        yield app.test_client()


def test_stock_take_posts_need_the_csrf_token(csrf_client):
    staff = make_user(role="staff")
    with csrf_client.session_transaction() as session:
        session["_user_id"] = f"{staff.id}:1"
        session["_fresh"] = True
    make_product(stock=4, slug="basil")
    assert _upload(csrf_client, b"basil;6").status_code == 400
    assert csrf_client.post("/admin/products/stocktake/apply", data={"token": "x"}).status_code == 400


@pytest.mark.parametrize(("prefix", "words"), [("", "Пока ничего не изменилось."),
                                               ("/kk", "Әзірге ештеңе өзгерген жоқ.")])
def test_the_preview_speaks_the_staff_language(app, prefix, words):
    browser = app.test_client()
    login(browser, make_user(role="staff"))
    make_product(stock=4, slug="basil")
    page = browser.post(f"{prefix}/admin/products/stocktake", data={"file": (io.BytesIO(b"basil;6\nx;1"), "a.csv")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert words in page and "«x»" in page
