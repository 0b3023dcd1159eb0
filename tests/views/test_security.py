"""Web security: CSRF, headers, cookies, sessions, rate limits, redirects and logs."""
import os

import pytest
import redis
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order
from tests.conftest import _reset_schema, running
from tests.factories import make_cohort, make_course, make_product, make_user

FORMS = ["/cart/add", "/cart/update", "/checkout", "/account/register", "/account/login", "/account/logout",
         "/account/reset"]


@pytest.fixture
def csrf_client(app_factory, request):
    with running(app_factory(WTF_CSRF_ENABLED=True), request) as app:
        yield app.test_client()


@pytest.mark.parametrize("path", FORMS)
def test_a_post_without_a_valid_csrf_token_gets_400(csrf_client, path):
    make_product(stock=3, slug="basil")
    assert csrf_client.post(path, data={"product": "basil", "email": "a@b.kz"}).status_code == 400
    assert csrf_client.post(path, data={"product": "basil", "csrf_token": "forged"}).status_code == 400


def test_a_form_with_its_token_is_accepted(csrf_client, shop_logs):
    page = csrf_client.get("/account/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    answer = csrf_client.post("/account/login", data={"email": "a@b.kz", "password": "x", "csrf_token": token})
    assert answer.status_code == 400 and "sign-in refused: no account" in shop_logs.text  # checked, not refused


# The storefront's own forms (add to cart, book a seat, join a waiting list) carry no per-visitor token, so
# the page is the same for every new visitor; the browser's headers prove where the post comes from.
OWN_PAGE = [{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://localhost"}, {"Origin": "http://shop.test"},
            {"Referer": "http://localhost/products/basil"}]
OTHER_SITE = [{}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "none"},
              {"Origin": "https://evil.example"}, {"Origin": "null"}, {"Referer": "https://evil.example/shop.test"},
              {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}]


@pytest.mark.parametrize("headers", OWN_PAGE)
def test_the_storefront_forms_are_accepted_from_the_shops_own_pages(csrf_client, headers):
    make_product(stock=3, slug="basil")
    assert csrf_client.post("/cart/add", data={"product": "basil"}, headers=headers).status_code == 303
    assert 'name="line"' in csrf_client.get("/cart").get_data(as_text=True)


@pytest.mark.parametrize("headers", OTHER_SITE)
def test_the_storefront_forms_refuse_posts_from_other_sites_or_from_nowhere(csrf_client, headers):
    make_product(stock=3, slug="basil")
    cohort = make_cohort(course=make_course(slug="herbs"), capacity=1)
    assert csrf_client.post("/cart/add", data={"product": "basil"}, headers=headers).status_code == 400
    joined = csrf_client.post(f"/courses/herbs/cohorts/{cohort.id}/waitlist", data={"email": "a@b.kz"},
                              headers=headers)
    assert joined.status_code == 400
    assert 'name="line"' not in csrf_client.get("/cart").get_data(as_text=True)


def test_a_storefront_form_posted_with_the_visitors_own_token_needs_no_origin(csrf_client):
    make_product(stock=3, slug="basil")
    csrf_client.post("/cart/add", data={"product": "basil"}, headers={"Sec-Fetch-Site": "same-origin"})
    page = csrf_client.get("/cart").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert csrf_client.post("/cart/add", data={"product": "basil", "csrf_token": token}).status_code == 303
    assert csrf_client.post("/cart/add", data={"product": "basil", "csrf_token": "forged"}).status_code == 400


def test_a_first_visit_to_the_storefront_sets_no_cookie(csrf_client):
    make_product(stock=3, slug="basil")
    for path in ("/", "/catalog/", "/products/basil", "/courses/"):
        response = csrf_client.get(path)
        assert response.status_code == 200 and "Set-Cookie" not in response.headers, path


def test_the_stripe_webhook_needs_no_csrf_token_but_a_signature(csrf_client):
    assert csrf_client.post("/webhooks/stripe", data="{}").status_code == 400


def test_pages_carry_the_security_headers(client, app):
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Request-ID"]
    assert "Strict-Transport-Security" not in headers


def test_production_adds_hsts_and_secure_cookies(app_factory):
    production = app_factory(env={"SHOP_ENV": "production", "ALLOW_SQLITE": "1", "ALLOW_DUMMY_PAYMENTS": "1"})
    assert production.config["SESSION_COOKIE_SECURE"] and production.config["REMEMBER_COOKIE_SECURE"]
    with production.app_context():
        _reset_schema(production.config["SQLALCHEMY_DATABASE_URI"])
        response = production.test_client().get("/healthz")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, app):
    make_product(stock=3, slug="basil")
    response = client.post("/cart/add", data={"product": "basil"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_starts_a_fresh_session(client):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/account/login", data={"email": user.email, "password": "correct horse battery"})
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"] == user.get_id()


def test_repeated_login_attempts_are_rate_limited(app_factory):
    app = app_factory(env={"RATELIMIT_ENABLED": "1"})
    with app.app_context():
        _reset_schema(app.config["SQLALCHEMY_DATABASE_URI"])
        client = app.test_client()
        answers = [client.post("/account/login", data={"email": "x@y.kz", "password": "wrong-password"}).status_code
                   for _ in range(12)]
    assert answers[:10] == [400] * 10 and answers[-1] == 429


def _redis_available(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.skipif(not _redis_available(REDIS_URL), reason="no Redis server for the shared rate-limit store")
def test_rate_limits_are_shared_through_redis_when_configured(app_factory):
    redis.Redis.from_url(REDIS_URL).flushdb()
    apps = [app_factory(env={"RATELIMIT_ENABLED": "1", "RATELIMIT_STORAGE_URI": REDIS_URL}) for _ in range(2)]
    with apps[0].app_context():
        _reset_schema(apps[0].config["SQLALCHEMY_DATABASE_URI"])
    answers = []
    for attempt in range(12):
        app = apps[attempt % 2]  # two app servers, one limit
        with app.app_context():
            answers.append(app.test_client().post("/account/reset", data={"email": "x@y.kz"}).status_code)
    redis.Redis.from_url(REDIS_URL).flushdb()
    assert 429 in answers and answers.index(429) == 5


def test_refused_sign_ins_are_logged_and_no_password_reaches_a_log_line(client, shop_logs):
    user = make_user()
    client.post("/account/login", data={"email": user.email, "password": "my-secret-password-42"})
    client.post("/account/login", data={"email": "nobody@x.kz", "password": "third-secret-77"})
    client.post("/account/register", data={"email": "n@x.kz", "full_name": "N", "password": "another-secret-99",
                                           "accept_terms": "y"})
    assert f"sign-in refused for user {user.id} (wrong password)" in shop_logs.text
    assert "sign-in refused: no account" in shop_logs.text
    assert not any(secret in shop_logs.text for secret in ("my-secret-password-42", "third-secret-77",
                                                              "another-secret-99"))


def test_html_typed_by_a_customer_is_shown_escaped(client):
    make_product(stock=3, slug="basil")
    client.post("/cart/add", data={"product": "basil"})
    client.post("/checkout", data={"email": "a@b.kz", "full_name": "<script>alert(1)</script>", "phone": "+77012345678",
                                   "delivery_method": "pickup", "accept_terms": "y"})
    order = db.session.scalar(select(Order))
    page = client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)</script>" not in page


def test_forwarded_client_addresses_are_believed_only_behind_a_trusted_proxy(app_factory):
    from flask import request

    seen = {}
    for count in (0, 1):
        app = app_factory(env={"TRUSTED_PROXY_COUNT": str(count)})

        @app.get("/_probe")
        def probe(count=count):
            seen[count] = request.remote_addr
            return "ok"

        app.test_client().get("/_probe", headers={"X-Forwarded-For": "203.0.113.9"},
                              environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == {0: "127.0.0.1", 1: "203.0.113.9"}


def _session_cookie_from(app, path: str) -> str:
    browser = app.test_client()
    browser.get(path)
    return browser.get_cookie("session").value


def _cart_seen_with(app, cookie: str, product) -> bool:
    browser = app.test_client()
    browser.set_cookie("session", cookie)
    return product.name_ru in browser.get("/cart").get_data(as_text=True)


def test_a_session_survives_a_secret_key_rotation_and_not_a_key_dropped(app_factory, request):
    with running(app_factory(SECRET_KEY="old-key"), request) as old:
        product = make_product(stock=5)
        browser = old.test_client()
        browser.post("/cart/add", data={"product": product.slug})  # the cart is found by the signed session
        cookie = browser.get_cookie("session").value
        assert _cart_seen_with(old, cookie, product)
        assert _cart_seen_with(app_factory(SECRET_KEY="new-key", SECRET_KEY_FALLBACKS=["old-key"]), cookie, product)
        assert not _cart_seen_with(app_factory(SECRET_KEY="new-key"), cookie, product)
