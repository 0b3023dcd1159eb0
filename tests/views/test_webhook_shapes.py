"""A Stripe event with a valid signature but a body of the wrong shape is refused with 400 and logged, and
changes nothing."""
import logging

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import ProcessedEvent
from tests.conftest import post_webhook
from tests.stripe_stub import make_event, sign_webhook


def _session(**changes):
    return {"id": "cs_test_1", "object": "checkout.session", "payment_status": "paid", "status": "complete",
            "amount_total": 100, "metadata": {"order_id": "no-such-order"}, "payment_intent": "pi_1", **changes}


MALFORMED = {
    "object is a list": make_event("checkout.session.completed", [1, 2]),
    "object is a string": make_event("checkout.session.expired", "cs_1"),
    "data is a list": {**make_event("checkout.session.completed", {}), "data": []},
    "no data": {key: value for key, value in make_event("charge.refunded", {}).items() if key != "data"},
    "session without id": make_event("checkout.session.completed", {**_session(), "id": None}),
    "session id a number": make_event("checkout.session.completed", _session(id=5)),
    "metadata a list": make_event("checkout.session.completed", _session(metadata=["x"])),
    "order id a dict": make_event("checkout.session.completed", _session(metadata={"order_id": {"a": 1}})),
    "order id with NUL": make_event("checkout.session.completed", _session(metadata={"order_id": "ab\x00c"})),
    "order id with a lone surrogate": make_event("checkout.session.completed",
                                                 _session(metadata={"order_id": "ab\ud800"})),
    "refund id with a lone surrogate": make_event("charge.refunded", {"id": "ch_1", "amount_refunded": 5,
                                                                      "refunds": {"data": [{"id": "re_\udfff"}]}}),
    "amount a string": make_event("checkout.session.completed", _session(amount_total="100")),
    "payment intent a list": make_event("checkout.session.completed", _session(payment_intent=[1])),
    "event id a dict": {**make_event("checkout.session.completed", _session()), "id": {"x": 1}},
    "event id missing": {**make_event("checkout.session.completed", _session()), "id": None},
    "event id too long": make_event("checkout.session.completed", _session(), event_id="evt_" + "x" * 300),
    "type a list": {**make_event("charge.refunded", {}), "type": ["charge.refunded"]},
    "amount refunded a string": make_event("charge.refunded", {"id": "ch_1", "amount_refunded": "5",
                                                               "metadata": {"order_id": "x"}}),
    "amount refunded negative": make_event("charge.refunded", {"id": "ch_1", "amount_refunded": -5}),
    "refunds a list": make_event("charge.refunded", {"id": "ch_1", "amount_refunded": 5, "refunds": [1]}),
    "refund data of numbers": make_event("charge.refunded", {"id": "ch_1", "amount_refunded": 5,
                                                             "refunds": {"data": [1]}}),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_signed_stripe_event_with_a_malformed_body_is_400_and_logged(stripe_client, shop_logs, name):
    with shop_logs.at_level(logging.WARNING, logger="shop"):
        response = post_webhook(stripe_client, MALFORMED[name])
    assert response.status_code == 400
    assert any("malformed" in record.getMessage().lower() for record in shop_logs.records)
    assert db.session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


@pytest.mark.parametrize("body", [b"[]", b'"event"', b"1", b"null", b"true"])
def test_a_signed_stripe_body_that_is_json_but_not_an_object_is_400(stripe_client, body):
    response = stripe_client.post("/webhooks/stripe", data=body, content_type="application/json",
                                  headers={"Stripe-Signature": sign_webhook(body, "whsec_test_secret")})
    assert response.status_code == 400
