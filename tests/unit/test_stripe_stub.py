"""The strict Stripe stand-in (tests/stripe_stub.py), exercised through the real ``stripe`` library."""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import stripe

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from stripe_stub import StripeStub, make_event, sign_webhook  # noqa: E402

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def stub():
    with StripeStub() as s:
        yield s


@pytest.fixture
def client(stub):
    return stripe.StripeClient("sk_test_x", base_addresses={"api": stub.base_url}, max_network_retries=0)


def session_params(**overrides):
    params = {
        "mode": "payment",
        "success_url": "https://shop.test/checkout/success?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://shop.test/cart",
        "client_reference_id": "order-42",
        "metadata": {"order_id": "42"},
        "payment_method_types": ["card"],
        "expires_at": int(time.time()) + 3600,
        "allow_promotion_codes": False,
        "payment_intent_data": {"metadata": {"order_id": "42"}},
        "line_items": [
            {"price_data": {"currency": "eur", "unit_amount": 1250, "product_data": {"name": "Mug"}}, "quantity": 2},
            {"price_data": {"currency": "eur", "unit_amount": 499, "product_data": {"name": "Tea"}}, "quantity": 1},
        ],
    }
    params.update(overrides)
    return params


def paid_session(stub, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    stub.complete(session.id)
    return client.v1.checkout.sessions.retrieve(session.id)


def test_valid_session_is_accepted(stub, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    assert session.id.startswith("cs_test_") and session.object == "checkout.session"
    assert session.url == f"{stub.base_url}/pay/{session.id}"
    assert (session.status, session.payment_status, session.payment_intent) == ("open", "unpaid", None)
    assert session.amount_total == 2 * 1250 + 499 and session.currency == "eur"
    assert session.client_reference_id == "order-42" and session.metadata.to_dict() == {"order_id": "42"}
    assert session.mode == "payment" and session.livemode is False
    assert stub.rejections == []
    method, path, params, headers = stub.requests[-1]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert params["line_items"][0]["price_data"]["unit_amount"] == 1250  # decoded and coerced
    assert params["allow_promotion_codes"] is False and params["payment_method_types"] == ["card"]
    assert headers["Authorization"] == "Bearer sk_test_x"


@pytest.mark.parametrize("overrides, param", [
    ({"bogus": "1"}, "bogus"),
    ({"line_items": [{"price_data": {"currency": "eur", "unit_amount": "abc", "product_data": {"name": "M"}},
                      "quantity": 1}]}, "line_items[0][price_data][unit_amount]"),
    ({"line_items": [{"price_data": {"currency": "eur", "unit_amount": 5, "product_data": {"name": "M", "sku": "x"}},
                      "quantity": 1}]}, "line_items[0][price_data][product_data][sku]"),
    ({"mode": "purchase"}, "mode"),
    ({"success_url": None}, "success_url"),
    ({"metadata": ""}, "metadata"),
    ({"allow_promotion_codes": "maybe"}, "allow_promotion_codes"),
])
def test_what_stripe_refuses_is_refused_and_recorded(stub, client, overrides, param):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.create(params=session_params(**overrides))

    assert excinfo.value.http_status == 400 and excinfo.value.param == param
    assert [r["param"] for r in stub.rejections] == [param]
    assert stub.sessions == {}


@pytest.mark.parametrize("overrides, param", [
    ({"expires_at": int(time.time()) + 600}, "expires_at"),
    ({"expires_at": int(time.time()) + 25 * 3600}, "expires_at"),
    ({"line_items": None}, "line_items"),
    ({"line_items": [{"price_data": {"currency": "EUR", "unit_amount": 5, "product_data": {"name": "M"}},
                      "quantity": 1}]}, "line_items[0][price_data][currency]"),
    ({"line_items": [{"price_data": {"currency": "eur", "unit_amount": 5, "product_data": {"name": "M"}}}]},
     "line_items[0][quantity]"),
])
def test_stripe_rules_beyond_the_schema(stub, client, overrides, param):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.create(params=session_params(**overrides))

    assert excinfo.value.param == param
    assert len(stub.rejections) == 1


def test_any_of_empty_string_unsets(stub, client):
    session = paid_session(stub, client)
    params = {"payment_intent": session.payment_intent, "amount": 100, "metadata": ""}
    refund = client.v1.refunds.create(params=params)
    assert refund.metadata.to_dict() == {} and stub.rejections == []


def test_idempotency_key_replays_and_refuses_other_params(stub, client):
    options = {"idempotency_key": "order-42-attempt-1"}
    first = client.v1.checkout.sessions.create(params=session_params(), options=options)
    again = client.v1.checkout.sessions.create(params=session_params(expires_at=first.expires_at), options=options)
    assert again.id == first.id and len(stub.sessions) == 1

    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(params=session_params(client_reference_id="other"), options=options)
    assert len(stub.sessions) == 1 and len(stub.rejections) == 1


def test_concurrent_requests_with_one_idempotency_key_make_one_session(stub, client):
    params, options = session_params(), {"idempotency_key": "double-click"}
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: client.v1.checkout.sessions.create(params=params, options=options).id, range(8)))
    assert len(ids) == 1 and len(stub.sessions) == 1 and stub.rejections == []


def test_expire(stub, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    expired = client.v1.checkout.sessions.expire(session.id)
    assert (expired.status, expired.url) == ("expired", None)
    with pytest.raises(stripe.InvalidRequestError, match="status of \"expired\""):
        client.v1.checkout.sessions.expire(session.id)
    assert stub.rejections == []  # a state error, not a malformed request

    other = client.v1.checkout.sessions.create(params=session_params())
    assert stub.expire(other.id)["status"] == "expired"
    assert client.v1.checkout.sessions.retrieve(other.id).status == "expired"


def test_line_items(stub, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    items = client.v1.checkout.sessions.line_items.list(session.id)
    assert [(i.description, i.quantity, i.amount_total, i.currency) for i in items.data] == [
        ("Mug", 2, 2500, "eur"), ("Tea", 1, 499, "eur")]
    page = client.v1.checkout.sessions.line_items.list(session.id, params={"limit": 1})
    assert len(page.data) == 1 and page.has_more is True
    assert stub.rejections == []


def test_complete_then_retrieve_shows_paid(stub, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    done = stub.complete(session.id)
    assert (done["status"], done["payment_status"]) == ("complete", "paid")
    fetched = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert fetched.status == "complete" and fetched.payment_status == "paid"
    intent = fetched.payment_intent
    assert intent.id.startswith("pi_") and intent.status == "succeeded" and intent.amount == 2999
    assert intent.latest_charge.startswith("ch_") and intent.metadata.to_dict() == {"order_id": "42"}
    assert client.v1.payment_intents.retrieve(intent.id).amount_received == 2999
    assert stub.requests[-2][2] == {"expand": ["payment_intent"]}
    assert stub.rejections == []


def test_refund_cap(stub, client):
    intent = paid_session(stub, client).payment_intent

    assert client.v1.refunds.create(params={"payment_intent": intent, "amount": 1000}).amount == 1000
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": intent, "amount": 2000})
    assert excinfo.value.code == "amount_too_large"
    assert client.v1.refunds.create(params={"payment_intent": intent}).amount == 1999  # the rest
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": intent, "amount": 1})
    assert excinfo.value.code == "charge_already_refunded"
    assert stub.rejections == []


def test_unknown_ids_are_missing(stub, client):
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert (excinfo.value.http_status, excinfo.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.payment_intents.retrieve("pi_nope")
    assert excinfo.value.http_status == 404
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.refunds.create(params={"payment_intent": "pi_nope"})
    assert (excinfo.value.code, excinfo.value.param) == ("resource_missing", "payment_intent")


def test_live_or_missing_key_is_refused(stub):
    live = stripe.StripeClient("sk_live_x", base_addresses={"api": stub.base_url}, max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError):
        live.v1.checkout.sessions.create(params=session_params())
    assert stub.rejections[0]["status"] == 401 and stub.sessions == {}


def test_fail_next(stub, client):
    stub.fail_next(2, status=500)
    for _ in range(2):
        with pytest.raises(stripe.APIError):
            client.v1.checkout.sessions.create(params=session_params())
    assert stub.sessions == {}
    client.v1.checkout.sessions.create(params=session_params())
    assert len(stub.sessions) == 1


def test_down_gives_connection_error(stub, client):
    stub.down()
    with pytest.raises(stripe.APIConnectionError):
        client.v1.checkout.sessions.create(params=session_params())
    stub.up()
    assert client.v1.checkout.sessions.create(params=session_params()).status == "open"


def test_module_level_api_base(stub, monkeypatch):
    monkeypatch.setattr(stripe, "api_key", "sk_test_x")
    monkeypatch.setattr(stripe, "api_base", stub.base_url)
    monkeypatch.setattr(stripe, "max_network_retries", 0)

    session = stripe.checkout.Session.create(**session_params())
    assert stripe.checkout.Session.retrieve(session.id).amount_total == 2999
    with pytest.raises(stripe.InvalidRequestError):
        stripe.checkout.Session.create(**session_params(bogus="1"))


def test_pinned_api_version():
    with StripeStub(api_version="2023-08-16") as pinned:
        unpinned = stripe.StripeClient("sk_test_x", base_addresses={"api": pinned.base_url}, max_network_retries=0)
        with pytest.raises(stripe.InvalidRequestError, match="Stripe-Version"):
            unpinned.v1.checkout.sessions.create(params=session_params())
        ok = stripe.StripeClient("sk_test_x", base_addresses={"api": pinned.base_url}, max_network_retries=0,
                                 stripe_version="2023-08-16")
        assert ok.v1.checkout.sessions.create(params=session_params()).status == "open"


def test_webhook_signature(stub, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    payload = json.dumps(make_event("checkout.session.completed", stub.complete(session.id))).encode()

    event = stripe.Webhook.construct_event(payload, sign_webhook(payload, WEBHOOK_SECRET), WEBHOOK_SECRET)
    assert event.type == "checkout.session.completed" and event.data.object.id == session.id
    assert event.id.startswith("evt_") and event.api_version == "2023-08-16"

    tampered = payload.replace(b'"paid"', b'"unpaid"')
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, sign_webhook(payload, WEBHOOK_SECRET), WEBHOOK_SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, sign_webhook(payload, "whsec_other"), WEBHOOK_SECRET)
    with pytest.raises(stripe.SignatureVerificationError):  # older than the 300 s tolerance
        stripe.Webhook.construct_event(payload, sign_webhook(payload, WEBHOOK_SECRET, int(time.time()) - 600),
                                       WEBHOOK_SECRET)
