"""Fixtures: an app per test on a fresh schema, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
import logging
import os
import re
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import flask_babel
import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.test import EnvironBuilder

from shop import create_app
from shop.clock import utcnow
from shop.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
_schemas_ready: set[str] = set()


def _postgres_url() -> str:
    url = TEST_DATABASE_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    if request.param == "postgresql":
        return _postgres_url()
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'shop.sqlite3'}"


# `make mutation` runs, for each planted bug, only the tests that reach the mutated function and stops at the first
# failure: the tests about that module run first, unit and service tests before page tests, so a caught bug is
# caught in seconds. The verdict is the same in any order; only the wait changes.
MUTATED_MODULE_TOPICS = {
    "integrity": ("integrity",), "refunds": ("refund",), "refund_lines": ("refund", "receipt"),
    "waitlist": ("waitlist",), "enrolment": ("enrol", "course", "learn"), "placing": ("placing", "checkout"),
    "paying": ("paying", "checkout", "kaspi", "tiptoppay"), "cancelling": ("cancel",), "expiry": ("expir",),
    "fulfilment": ("fulfil", "admin_orders"), "reconcile": ("reconcil", "stripe", "tiptoppay", "kaspi"),
    "webhooks": ("webhook", "stripe_event"), "cart": ("cart", "stock_out"), "inventory": ("inventory", "stock"),
    "money": ("money",),
}


def pytest_collection_modifyitems(config, items):
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if not mutant.startswith("shop."):
        return
    parts = mutant.split(".x", 1)[0].split(".")
    topics = MUTATED_MODULE_TOPICS.get(parts[-2] if parts[-1] == "services" else parts[-1], ())

    def first(item) -> tuple[int, int]:
        path = item.nodeid.split("::", 1)[0]
        return (0 if any(topic in path for topic in topics) else 1,
                0 if path.startswith("tests/unit") else 1 if path.startswith("tests/services") else 2)

    items.sort(key=first)


TEST_ENV = {
    "SHOP_ENV": "testing",
    "SECRET_KEY": "test-secret-key",
    "PAYMENT_PROVIDER": "dummy",
    "STRIPE_WEBHOOK_SECRET": "whsec_test_secret",
    "RATELIMIT_ENABLED": "0",
    "SHOP_BASE_URL": "http://shop.test",
    # Test clients all come from one address and many tests leave unpaid orders behind: the caps on what
    # one buyer may hold are tested on their own (tests/services/test_money_and_stock.py).
    "HOLD_MAX_UNPAID_ORDERS": "1000",
    "HOLD_MAX_BUYER_UNITS": "100000",
}


def _start_each_request_afresh() -> None:
    """Forget what the previous request found: a test keeps one app context (and its ``g``) pushed across
    requests, where in production each request has its own. Without this the first request's language
    (Flask-Babel keeps it on the app context) and signed-in user would stick to every later request."""
    g.pop("_login_user", None)
    flask_babel.refresh()


def make_app(database_url: str, **overrides):
    env = {**TEST_ENV, "DATABASE_URL": database_url, **overrides.pop("env", {})}
    config = {"WTF_CSRF_ENABLED": False, "SERVER_NAME": None, **overrides}
    app = create_app(config, env=env)
    app.before_request_funcs.setdefault(None, []).insert(0, _start_each_request_afresh)
    return app


def _reset_schema(database_url: str) -> None:
    if database_url not in _schemas_ready:
        if database_url.startswith("postgresql"):
            engine = create_engine(database_url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        db.create_all()
        _schemas_ready.add(database_url)
        return
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def app_factory(database_url):
    """Build an app on the test database with extra settings; the schema is emptied first."""
    made = []

    def build(**overrides):
        app = make_app(database_url, **overrides)
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _assert_integrity(request) -> None:
    """Every test that changes data ends with the integrity checker finding nothing broken."""
    from shop.integrity import check_integrity

    db.session.rollback()
    if request.node.get_closest_marker("breaks_integrity") is None:
        assert check_integrity() == [], "flask shop check-integrity would fail after this test"


@contextmanager
def running(app, request):
    """Run a test inside ``app`` on an empty schema, and check integrity when it ends."""
    with app.app_context():
        _reset_schema(app.config["SQLALCHEMY_DATABASE_URI"])
        yield app
        _assert_integrity(request)
        db.session.remove()


class EnglishClient(FlaskClient):
    """A visitor reading the shop in English, so assertions read like the English catalogue.

    Tests write the shop's paths as they are in Russian (``/cart``); this browser sends them under the
    English prefix (``/en/cart``) and reads the shop's redirects back without it, so a test says where the
    shop sends the visitor, whatever the language. The tests of language URLs use a plain client.
    """

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str):
            args = (_in_english(args[0]), *args[1:])
        elif args and isinstance(args[0], EnvironBuilder):
            args[0].path = _in_english(args[0].path)
        response = super().open(*args, **kwargs)
        location = response.headers.get("Location")
        if location:
            response.headers["Location"] = _ENGLISH.sub(r"\1/", location, count=1)
        return response


_ENGLISH = re.compile(r"^((?:https?://[^/]+)?)/en/")


def _in_english(path: str) -> str:
    parts = urlsplit(path)
    if parts.path.startswith(("/en/", "/kk/")) or parts.path in ("/en", "/kk") or not parts.path.startswith("/"):
        return path
    return urlunsplit(parts._replace(path="/en" + parts.path))


def english_client(app):
    """A browser reading the shop in English (see `EnglishClient`)."""
    app.test_client_class = EnglishClient
    try:
        return app.test_client()
    finally:
        app.test_client_class = None


@pytest.fixture
def app(app_factory, request):
    with running(app_factory(), request) as app:
        yield app


@pytest.fixture
def client(app):
    return english_client(app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def now():
    return utcnow()


@pytest.fixture
def later(now):
    return lambda **delta: now + timedelta(**delta)


def login(client, user, password: str = "correct horse battery") -> None:
    """Log ``user`` in through the real login form."""
    response = client.post("/account/login", data={"email": user.email, "password": password})
    assert response.status_code == 303, response.data[:500]


@pytest.fixture
def login_as(client):
    return lambda user, password="correct horse battery": login(client, user, password)


WEBHOOK_SECRET = TEST_ENV["STRIPE_WEBHOOK_SECRET"]


@pytest.fixture
def stripe_stub():
    from tests.stripe_stub import StripeStub

    with StripeStub(api_version="2023-08-16") as stub:
        yield stub
    assert stub.rejections == [], "the shop sent Stripe a request Stripe would refuse"


@pytest.fixture
def stripe_app(app_factory, stripe_stub, request):
    """The shop with PAYMENT_PROVIDER=stripe, talking to the local Stripe stand-in."""
    app = app_factory(env={"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_shop",
                           "STRIPE_API_BASE": stripe_stub.base_url})
    with running(app, request):
        yield app


@pytest.fixture
def stripe_client(stripe_app):
    return english_client(stripe_app)


def post_webhook(client, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None):
    """Deliver a Stripe event signed exactly as Stripe signs it."""
    import json

    from tests.stripe_stub import sign_webhook

    payload = json.dumps(event).encode()
    return client.post("/webhooks/stripe", data=payload, content_type="application/json",
                       headers={"Stripe-Signature": sign_webhook(payload, secret, timestamp)})


@pytest.fixture
def shop_logs(caplog):
    """Capture every line the shop logs, down to DEBUG.

    The shop's loggers write to their own handler and do not propagate to the root logger, where caplog
    listens, so caplog alone would see nothing and a test of what is (not) logged could never fail.
    """
    shop_logger = logging.getLogger("shop")
    level = shop_logger.level
    shop_logger.addHandler(caplog.handler)
    shop_logger.setLevel(logging.DEBUG)
    yield caplog
    shop_logger.removeHandler(caplog.handler)
    shop_logger.setLevel(level)


TIPTOP_ENV = {"PAYMENT_METHODS": "tiptoppay,kaspi,dummy", "TIPTOPPAY_PUBLIC_ID": "pk_test_shop",
              "TIPTOPPAY_API_SECRET": "tt_secret", "TIPTOPPAY_INN": "123456789012", "TIPTOPPAY_VAT_RATE": "16"}


@pytest.fixture
def tiptop_stub():
    from tests.tiptoppay_stub import TipTopStub

    with TipTopStub(public_id=TIPTOP_ENV["TIPTOPPAY_PUBLIC_ID"], api_secret=TIPTOP_ENV["TIPTOPPAY_API_SECRET"],
                    inn=TIPTOP_ENV["TIPTOPPAY_INN"]) as stub:
        yield stub
        stub.wait()
    assert stub.rejections == [], "the shop sent TipTop Pay a request it would refuse"


@pytest.fixture
def tiptop_app(app_factory, tiptop_stub, request):
    """The shop offering TipTop Pay, Kaspi and test payments, TipTop reached at the local stand-in."""
    app = app_factory(env={**TIPTOP_ENV, "TIPTOPPAY_API_BASE": tiptop_stub.base_url})
    with running(app, request):
        yield app


@pytest.fixture
def tiptop_client(tiptop_app):
    return english_client(tiptop_app)


def deliver_to(client):
    """Post a TipTop Pay notification to the shop as TipTop would; return (status, answer)."""
    def deliver(path, body, headers):
        response = client.post(path, data=body, headers=headers)
        return response.status_code, response.get_json(silent=True)
    return deliver
