"""Failures mid-way: a crash inside fulfilment, dropped database connections, Stripe timing out."""
import pytest
from sqlalchemy import create_engine, func, select, text

from shop import database
from shop.extensions import db
from shop.models import Hold, Order, OutboxMessage, Payment, StockMovement
from shop.orders import paying as payment_services
from shop.orders.paying import mark_paid
from tests.conftest import TEST_DATABASE_URL, _postgres_url, make_app, post_webhook
from tests.factories import make_product
from tests.stripe_stub import make_event
from tests.views.helpers import add, check_out


def _pending_order(client, product):
    add(client, product, 2)
    check_out(client)
    order = db.session.scalar(select(Order))
    return order, db.session.scalar(select(Payment).where(Payment.order_id == order.id))


def test_a_crash_in_the_middle_of_fulfilment_leaves_nothing_half_done_and_a_retry_completes(client, monkeypatch):
    product = make_product(stock=5)
    order, payment = _pending_order(client, product)

    def crash(_order, **_when):
        raise RuntimeError("worker died while e-mailing")

    monkeypatch.setattr(payment_services, "queue_confirmation", crash)
    with pytest.raises(RuntimeError):
        mark_paid(order.public_id, provider="dummy", reference=payment.reference, amount_minor=order.total_minor,
                     now=order.created_at, event_id="evt_crash")
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "pending_payment"
    assert db.session.scalar(select(func.count(StockMovement.id)).where(StockMovement.kind == "sold")) == 0
    assert db.session.scalar(select(func.count(Hold.id))) == 1
    monkeypatch.undo()
    mark_paid(order.public_id, provider="dummy", reference=payment.reference, amount_minor=order.total_minor,
                 now=order.created_at, event_id="evt_crash")
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "paid"
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == order.email)) == 1


def test_a_webhook_that_crashes_answers_500_so_stripe_retries_and_the_retry_lands_once(stripe_client, stripe_stub,
                                                                                       monkeypatch):
    product = make_product(stock=5)
    add(stripe_client, product, 1)
    check_out(stripe_client)
    session_id = next(iter(stripe_stub.sessions))
    event = make_event("checkout.session.completed", stripe_stub.complete(session_id))
    monkeypatch.setattr(payment_services, "queue_confirmation", lambda order: 1 / 0)
    monkeypatch.setitem(stripe_client.application.config, "PROPAGATE_EXCEPTIONS", False)
    assert post_webhook(stripe_client, event).status_code == 500
    monkeypatch.undo()
    assert post_webhook(stripe_client, event).status_code == 200
    assert post_webhook(stripe_client, event).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "paid"
    assert db.session.scalar(select(func.count(StockMovement.id)).where(StockMovement.kind == "sold")) == 1


def test_stripe_errors_leave_the_order_unpaid_with_its_cart(stripe_client, stripe_stub):
    add(stripe_client, make_product(stock=5))
    stripe_stub.fail_next(5, status=500)
    response = check_out(stripe_client)
    assert response.status_code == 200 and "Your cart is kept" in response.get_data(as_text=True)
    assert db.session.scalar(select(Payment.id)) is None


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_connections_dropped_by_a_database_restart_cost_no_more_than_the_requests_in_flight(app, client, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the restart is simulated on PostgreSQL")
    make_product(stock=3, slug="basil")
    assert client.get("/products/basil").status_code == 200
    db.session.remove()  # what the end of each real request does: its connection goes back to the pool
    admin = create_engine(_postgres_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()
    assert client.get("/products/basil").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_database_that_cannot_be_reached_answers_503_to_retry_not_500(monkeypatch):
    monkeypatch.setattr(database, "CONNECT_RETRY_DELAYS", (0, 0))
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:9/nowhere", env={"PAGE_CACHE": "0"})
    client = app.test_client()
    for path in ("/catalog/", "/products/basil", "/courses/"):
        response = client.get("/en" + path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "5"
        assert "Nothing was saved or charged" in response.get_data(as_text=True)
    answer = client.get("/api/products")
    assert answer.status_code == 503 and answer.get_json() == {"error": "Service Unavailable"}


class _Restarting(Exception):
    pass


class _RestartingServer:
    """A stand-in DBAPI dialect whose server refuses the first ``refusals`` connection attempts."""

    def __init__(self, refusals: int) -> None:
        self.refusals, self.attempts = refusals, 0
        self.loaded_dbapi = self

    OperationalError = _Restarting

    def connect(self, *_args, **_kwargs):
        self.attempts += 1
        if self.attempts <= self.refusals:
            raise _Restarting("the database system is starting up")
        return "connection"


def test_opening_a_connection_waits_out_a_restarting_server(monkeypatch):
    monkeypatch.setattr(database, "CONNECT_RETRY_DELAYS", (0, 0, 0))
    server = _RestartingServer(refusals=2)
    assert database._connect_patiently(server, None, (), {}) == "connection"
    assert server.attempts == 3


def test_a_server_that_stays_down_is_reported_after_the_last_attempt(monkeypatch):
    monkeypatch.setattr(database, "CONNECT_RETRY_DELAYS", (0, 0, 0))
    server = _RestartingServer(refusals=10)
    with pytest.raises(_Restarting):
        database._connect_patiently(server, None, (), {})
    assert server.attempts == 4


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_a_connection_dropped_after_the_page_was_read_still_sends_the_page(app, client, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the restart is simulated on PostgreSQL")
    make_product(stock=3, slug="basil", name="Basil kit")

    @app.after_request
    def database_restarts_now(response):  # runs before the page cache keeps the page and before teardown
        backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        admin = create_engine(_postgres_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        admin.dispose()
        return response

    response = client.get("/products/basil")
    assert response.status_code == 200 and "Basil kit" in response.get_data(as_text=True)
