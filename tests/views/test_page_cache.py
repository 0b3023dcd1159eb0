"""The storefront's page cache: a repeat visit costs one read of the generation, and no change ever shows late."""
import gzip
import time
from contextlib import contextmanager
from datetime import timedelta

import flask_compress.flask_compress
import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import create_engine, delete, event, select, text, update

import shop.api.views
import shop.catalog.views
import shop.clock
import shop.courses.views
from shop import pagecache
from shop.clock import utcnow
from shop.database import unit_of_work
from shop.extensions import db
from shop.inventory.services import hold_stock, receive_stock
from shop.models import Cart, Hold, Product
from shop.pagecache.generation import bump_statement
from shop.pagecache.store import next_change_by_clock
from tests.conftest import english_client, login, running
from tests.factories import make_category, make_cohort, make_course, make_product, make_user
from tests.views.helpers import add, check_out

HTML_PAGES = ["/", "/catalog/", "/catalog/?category=herbs&sort=price", "/products/the-kit", "/courses/",
              "/courses/the-course"]
PAGES = [*HTML_PAGES, "/api/products", "/api/cohorts"]


@pytest.fixture
def shelf(app):
    course = make_course(slug="the-course")
    cohort = make_cohort(course=course, capacity=8)
    kit = make_product(slug="the-kit", category=make_category("herbs"), stock=10, price=790000, name="Basil kit")
    return kit, cohort


@contextmanager
def sql_and_reads(monkeypatch):
    """Record the statements the engine runs and how often the page cache reads the generation."""
    statements, reads = [], []
    original = pagecache.read_generation

    def read(**how):
        reads.append(1)
        return original(**how)

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    monkeypatch.setattr(pagecache, "read_generation", read)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements, reads
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@contextmanager
def own_context(app):
    """Run requests in an app context of their own, as a server does, with nothing left in ``g`` from earlier.

    The test's own transaction ends first, so the requests' connection never waits behind it.
    """
    db.session.commit()
    with app.app_context():
        yield


def visit(browser, path, **headers):
    with own_context(browser.application):
        return browser.get(path, headers=headers)


def served_from_memory(client, path, monkeypatch):
    """GET ``path``; return the page, asserting it came from the store (no SQL but the generation)."""
    with sql_and_reads(monkeypatch) as (statements, reads):
        response = visit(client, path)
    assert response.status_code == 200
    assert statements == [] and reads == [1], f"{path} was rendered again: {statements}"
    return response.get_data(as_text=True)


def rendered(client, path, monkeypatch):
    with sql_and_reads(monkeypatch) as (statements, _):
        response = visit(client, path)
    assert response.status_code == 200 and statements, f"{path} came from the store"
    return response.get_data(as_text=True)


def travel(monkeypatch, moment):
    """Move the clock the views and the page cache read."""
    for module in (shop.clock, shop.catalog.views, shop.courses.views, shop.api.views):
        monkeypatch.setattr(module, "utcnow", lambda: moment)


def generation():
    return pagecache.read_generation()


# --- what a repeat visit costs ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_a_repeat_visit_reads_only_the_generation(client, shelf, monkeypatch, fixed_secrets, path):
    first = rendered(client, path, monkeypatch)
    assert served_from_memory(client, path, monkeypatch) == first


def test_another_visitor_is_served_the_kept_page(app, client, shelf, monkeypatch):
    page = rendered(client, "/catalog/", monkeypatch)
    assert served_from_memory(english_client(app), "/catalog/", monkeypatch) == page


def test_each_language_and_query_is_kept_apart(app, client, shelf, monkeypatch):
    english = rendered(client, "/catalog/", monkeypatch)  # /en/catalog/
    russian_visitor = app.test_client()
    russian = rendered(russian_visitor, "/catalog/", monkeypatch)
    assert 'lang="ru"' in russian and 'lang="en"' in english
    assert 'lang="ru"' in served_from_memory(russian_visitor, "/catalog/", monkeypatch)
    assert 'lang="en"' in served_from_memory(client, "/catalog/", monkeypatch)
    assert "Nothing found" in rendered(client, "/catalog/?q=tomato", monkeypatch)  # not the whole catalogue kept


def test_a_kept_page_answers_conditional_requests_like_a_fresh_one(client, shelf, monkeypatch):
    first = client.get("/products/the-kit")
    with sql_and_reads(monkeypatch) as (statements, _):
        again = client.get("/products/the-kit", headers={"If-None-Match": first.headers["ETag"]})
    assert statements == [] and again.status_code == 304


def test_a_page_the_same_for_everyone_is_compressed_once(app, shelf, monkeypatch):
    compressions = []
    original = flask_compress.flask_compress._compress_data
    monkeypatch.setattr(flask_compress.flask_compress, "_compress_data",
                        lambda *args: compressions.append(args[2]) or original(*args))
    zipped = {"Accept-Encoding": "gzip"}
    first = english_client(app).get("/catalog/", headers=zipped)
    again = english_client(app).get("/catalog/", headers=zipped)
    assert compressions == ["gzip"]
    assert first.headers["Content-Encoding"] == again.headers["Content-Encoding"] == "gzip"
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert gzip.decompress(again.data) == english_client(app).get("/catalog/").data
    english_client(app).get("/products/the-kit", headers=zipped)
    english_client(app).get("/products/the-kit", headers=zipped)
    assert compressions == ["gzip"] * 2  # the product page carries no visitor's own token either


# --- the visitor's own pieces ------------------------------------------------------------------------------


@pytest.fixture
def fixed_secrets(monkeypatch):
    """Sign at a fixed second and draw the same CSRF token, so two renders for one visitor can be compared."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_800_000_000)
    monkeypatch.setattr("flask_wtf.csrf.os.urandom", lambda size: b"\x07" * size)


def _headers(response) -> dict:
    """Return the headers that say anything about the page (not the request id, nor the second it left)."""
    return {name: value for name, value in response.headers.items() if name not in ("X-Request-ID", "Date")}


def _three_renders(app, browsers, path):
    """Return the page rendered with the cache off, then rendered and kept, then served from the store."""
    app.config["PAGE_CACHE"] = False
    uncached = visit(browsers[0], path, **{"Accept-Encoding": "br"})
    app.config["PAGE_CACHE"] = True
    kept, served = (visit(browser, path, **{"Accept-Encoding": "br"}) for browser in browsers[1:])
    return uncached, kept, served


@pytest.mark.parametrize("path", PAGES)
def test_a_new_visitor_gets_byte_for_byte_what_an_uncached_render_gives(app, shelf, fixed_secrets, path):
    uncached, kept, served = _three_renders(app, [english_client(app) for _ in range(3)], path)
    assert uncached.status_code == kept.status_code == served.status_code == 200
    assert kept.data == uncached.data and served.data == uncached.data
    assert _headers(kept) == _headers(uncached) and _headers(served) == _headers(uncached)
    assert "Set-Cookie" not in uncached.headers  # a visitor who has not acted yet gets no session


@pytest.mark.parametrize("path", HTML_PAGES)
def test_a_visitor_with_a_cart_gets_byte_for_byte_what_an_uncached_render_gives(app, client, shelf, fixed_secrets,
                                                                                monkeypatch, path):
    kit, _ = shelf
    with own_context(app):
        add(client, kit, 2)
    visit(client, "/cart")  # shows and clears the "added" message
    uncached, kept, served = _three_renders(app, [client] * 3, path)
    assert kept.data == uncached.data and served.data == uncached.data
    assert _headers(kept) == _headers(uncached) and _headers(served) == _headers(uncached)
    assert '<span class="count">(2)</span>' in served_from_memory(client, path, monkeypatch)


@pytest.fixture
def guarded(app_factory, request):
    """The shop with CSRF checks on, as in production."""
    with running(app_factory(WTF_CSRF_ENABLED=True), request) as app:
        yield app


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_two_new_visitors_share_the_page_and_keep_their_own_cart_counts(guarded, monkeypatch):
    kit = make_product(slug="the-kit", stock=10)
    first, second = english_client(guarded), english_client(guarded)
    page = rendered(first, "/products/the-kit", monkeypatch)
    assert served_from_memory(second, "/products/the-kit", monkeypatch) == page and "csrf_token" not in page
    own_page = {"Sec-Fetch-Site": "same-origin"}
    for browser, quantity in ((first, 2), (second, 1)):
        with own_context(guarded):
            response = browser.post("/cart/add", data={"product": kit.slug, "quantity": str(quantity)},
                                    headers=own_page)
        assert response.status_code == 303
        visit(browser, "/cart")
    rendered(first, "/catalog/", monkeypatch)
    assert '<span class="count">(2)</span>' in served_from_memory(first, "/catalog/", monkeypatch)
    assert '<span class="count">(1)</span>' in served_from_memory(second, "/catalog/", monkeypatch)
    assert 'class="count"' not in rendered(english_client(guarded), "/catalog/", monkeypatch)


# --- every change shows at once -----------------------------------------------------------------------------


def test_a_price_change_shows_at_once(client, shelf, monkeypatch):
    kit, _ = shelf
    for path in ("/products/the-kit", "/catalog/"):
        rendered(client, path, monkeypatch)
    kit.price_minor = 990000
    db.session.commit()
    for path in ("/products/the-kit", "/catalog/"):
        page = rendered(client, path, monkeypatch)
        assert "₸9,900" in page and "₸7,900" not in page


def test_the_public_json_shows_a_price_change_and_another_buyers_hold_at_once(app, client, monkeypatch):
    kit = make_product(slug="the-kit", stock=1, price=790000)
    assert '"available":1' in rendered(client, "/api/products", monkeypatch).replace(" ", "")
    assert '"available":1' in served_from_memory(client, "/api/products", monkeypatch).replace(" ", "")
    kit.price_minor = 990000
    db.session.commit()
    assert '"price":990000' in rendered(client, "/api/products", monkeypatch).replace(" ", "")
    buyer = english_client(app)
    add(buyer, kit)
    assert check_out(buyer).status_code == 303
    assert '"available":0' in rendered(client, "/api/products", monkeypatch).replace(" ", "")
    expiry = db.session.scalar(db.select(Hold.expires_at))
    travel(monkeypatch, expiry)
    assert '"available":1' in rendered(client, "/api/products", monkeypatch).replace(" ", "")


def test_a_text_change_shows_at_once(client, shelf, monkeypatch):
    kit, _ = shelf
    rendered(client, "/products/the-kit", monkeypatch)
    kit.description_en = "Now with a second pot."
    db.session.commit()
    assert "Now with a second pot." in rendered(client, "/products/the-kit", monkeypatch)


def test_received_stock_shows_at_once(client, app, monkeypatch):
    kit = make_product(slug="the-kit", stock=3)
    assert "Only 3 left" in rendered(client, "/products/the-kit", monkeypatch)
    with unit_of_work():
        receive_stock(kit, 5, now=utcnow(), reason="delivery")
    page = rendered(client, "/products/the-kit", monkeypatch)
    assert "In stock" in page and "Only 3 left" not in page


def test_another_buyers_hold_shows_at_once_and_its_expiry_shows_when_it_runs_out(app, client, monkeypatch):
    kit = make_product(slug="the-kit", stock=1)
    assert 'action="/en/cart/add"' in rendered(client, "/products/the-kit", monkeypatch)
    buyer = english_client(app)
    add(buyer, kit)
    assert check_out(buyer).status_code == 303
    page = rendered(client, "/products/the-kit", monkeypatch)
    assert "Sold out" in page and 'action="/en/cart/add"' not in page
    assert "Sold out" in served_from_memory(client, "/products/the-kit", monkeypatch)
    expiry = db.session.scalar(db.select(Hold.expires_at))
    travel(monkeypatch, expiry - timedelta(seconds=1))
    assert "Sold out" in served_from_memory(client, "/products/the-kit", monkeypatch)
    travel(monkeypatch, expiry)
    assert 'action="/en/cart/add"' in rendered(client, "/products/the-kit", monkeypatch)


def test_a_taken_seat_shows_at_once(app, client, monkeypatch):
    cohort = make_cohort(course=make_course(slug="the-course"), capacity=1)
    assert "Book a seat" in rendered(client, "/courses/the-course", monkeypatch)
    buyer = english_client(app)
    add(buyer, cohort=cohort)
    assert check_out(buyer).status_code == 303
    page = rendered(client, "/courses/the-course", monkeypatch)
    assert "Book a seat" not in page and "Join the waiting list" in page


def test_a_cohort_leaves_the_pages_when_it_starts(client, app, monkeypatch):
    start = utcnow() + timedelta(hours=2)
    make_cohort(course=make_course(slug="the-course"), starts_at=start)
    assert "Book a seat" in rendered(client, "/courses/the-course", monkeypatch)
    travel(monkeypatch, start - timedelta(seconds=1))
    served_from_memory(client, "/courses/the-course", monkeypatch)
    travel(monkeypatch, start)
    assert "New dates will be announced soon." in rendered(client, "/courses/the-course", monkeypatch)


def test_the_clock_changes_a_page_at_the_next_expiry_start_or_lesson_end(app, now):
    assert next_change_by_clock(now) is None
    make_cohort(starts_at=now - timedelta(minutes=30), sessions=1)  # its 90-minute lesson is under way
    assert next_change_by_clock(now) == now + timedelta(minutes=60)
    make_cohort(starts_at=now + timedelta(minutes=20))
    assert next_change_by_clock(now) == now + timedelta(minutes=20)
    hold_stock(make_product(), 1, expires_at=now + timedelta(minutes=5), now=now)
    db.session.commit()
    assert next_change_by_clock(now) == now + timedelta(minutes=5)


# --- who is never served from the store ----------------------------------------------------------------------


def test_a_signed_in_visitor_gets_their_own_page(client, shelf, monkeypatch):
    rendered(client, "/catalog/", monkeypatch)
    login(client, make_user())
    for _ in range(2):
        assert "My account" in rendered(client, "/catalog/", monkeypatch)


def test_a_visitor_with_a_message_waiting_sees_it_and_then_the_kept_page(client, shelf, monkeypatch):
    kit, _ = shelf
    rendered(client, "/products/the-kit", monkeypatch)
    client.post("/cart/add", data={"product": kit.slug, "quantity": "999"})  # refused: a message waits
    assert "flash-error" in rendered(client, "/products/the-kit", monkeypatch)
    assert "flash-error" not in served_from_memory(client, "/products/the-kit", monkeypatch)


def test_a_missing_page_is_never_kept(client, shelf, monkeypatch):
    for _ in range(2):
        with sql_and_reads(monkeypatch) as (statements, _):
            assert client.get("/products/nothing-here").status_code == 404
        assert statements


def test_the_cache_can_be_turned_off(app_factory, request, monkeypatch):
    with running(app_factory(PAGE_CACHE=False), request) as app:
        make_product(slug="the-kit")
        browser = english_client(app)
        for _ in range(2):
            rendered(browser, "/products/the-kit", monkeypatch)


# --- the generation ------------------------------------------------------------------------------------------


def test_a_cart_alone_leaves_the_generation_as_it_was(client, shelf):
    kit, _ = shelf
    before = generation()
    add(client, kit, 2)
    assert generation() == before


@pytest.mark.parametrize("statement", [
    lambda: update(Product).values(price_minor=Product.price_minor + 100),  # as move_stock's conditional UPDATE
    lambda: delete(Hold),  # as release_holds and release_expired_holds
    lambda: Cart.__table__.delete(),  # as payment: the database sets waiting-list entries' cart to NULL
])
def test_a_bulk_statement_bumps_the_generation_once_at_commit(app, shelf, statement):
    before = generation()
    with unit_of_work():
        db.session.execute(statement())
        db.session.execute(statement())
        assert generation() == before  # other connections see nothing before the commit
    assert generation() == before + 1


def test_a_change_inside_a_savepoint_bumps_at_the_outer_commit(app, shelf):
    kit, _ = shelf
    before = generation()
    with unit_of_work():
        with db.session.begin_nested():
            kit.name_en = "Basil kit, bigger"
    assert generation() == before + 1


def test_a_rolled_back_change_leaves_the_generation(app, shelf):
    kit, _ = shelf
    before = generation()
    kit.price_minor = 1
    db.session.flush()
    db.session.rollback()
    assert generation() == before


def test_without_its_row_nothing_is_kept_until_the_next_change_writes_it_back(client, shelf, monkeypatch):
    kit, _ = shelf
    with db.engine.begin() as connection:  # behind the session's back, as a botched restore would
        connection.execute(text("DELETE FROM cache_generation"))
    assert generation() is None
    for _ in range(2):
        rendered(client, "/products/the-kit", monkeypatch)
    kit.price_minor = 990000
    db.session.commit()
    assert generation() is not None
    assert "₸9,900" in rendered(client, "/products/the-kit", monkeypatch)
    served_from_memory(client, "/products/the-kit", monkeypatch)


# --- PostgreSQL: the number announced to each process ------------------------------------------------------


@pytest.fixture
def listener(app, shelf):
    """The page cache's listener, started and having heard the generation once (PostgreSQL only)."""
    heard = app.extensions["page_cache"].reader.listener
    if heard is None:
        pytest.skip("the generation is announced with NOTIFY on PostgreSQL only")
    heard.current()  # starts it in this process
    _wait_for(lambda: heard.current() is not None)
    return heard


def _wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the listener did not catch up"
        time.sleep(0.02)


@contextmanager
def database_reads(app, monkeypatch):
    """Count how often the generation is read from the database rather than taken from the listener."""
    reader, reads = app.extensions["page_cache"].reader, []
    original = reader.read_from_database
    monkeypatch.setattr(reader, "read_from_database", lambda: reads.append(1) or original())
    yield reads


def test_a_first_time_visitor_costs_no_database_round_trip_at_all(app, client, listener, monkeypatch):
    page = rendered(client, "/products/the-kit", monkeypatch)
    with database_reads(app, monkeypatch) as reads:
        assert served_from_memory(english_client(app), "/products/the-kit", monkeypatch) == page
    assert reads == []


def test_a_visitor_who_has_acted_always_reads_the_generation_from_the_database(app, client, listener, monkeypatch):
    kit = db.session.scalar(select(Product))
    with own_context(app):
        add(client, kit, 1)
    visit(client, "/cart")
    rendered(client, "/products/the-kit", monkeypatch)
    with database_reads(app, monkeypatch) as reads:
        served_from_memory(client, "/products/the-kit", monkeypatch)
    assert reads == [1]


def test_a_change_committed_by_another_process_shows_once_its_notice_arrives(app, client, listener, monkeypatch):
    rendered(client, "/products/the-kit", monkeypatch)
    before = listener.current()
    other_process = create_engine(db.engine.url)  # another gunicorn worker, as far as this process can tell
    with other_process.begin() as connection:
        connection.execute(update(Product).values(price_minor=123400))
        connection.execute(bump_statement("postgresql"))
    other_process.dispose()
    _wait_for(lambda: listener.current() != before)
    assert "₸1,234" in visit(english_client(app), "/products/the-kit").get_data(as_text=True)


def test_a_change_committed_here_is_known_before_its_notice_comes_back(app, client, listener, monkeypatch):
    rendered(client, "/products/the-kit", monkeypatch)
    listener.stop()  # no notice will arrive any more; what this process commits must still show at once
    kit = db.session.scalar(select(Product))
    kit.price_minor = 432100
    db.session.commit()
    assert "₸4,321" in visit(english_client(app), "/products/the-kit").get_data(as_text=True)


def test_a_listener_that_lost_its_connection_is_distrusted_until_it_listens_again(app, client, listener,
                                                                                   monkeypatch):
    lost = listener.backend_pid
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost})
    db.session.commit()
    _wait_for(lambda: listener.current() is None)
    with database_reads(app, monkeypatch) as reads:
        visit(english_client(app), "/products/the-kit")
    assert reads == [1]
    _wait_for(lambda: listener.current() is not None and listener.backend_pid != lost)
