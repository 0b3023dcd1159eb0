"""The shop reads a verified Stripe event into exactly the fields it uses, and refuses a body of the wrong shape
with a reason that tells the operator which value was wrong (the webhook logs it)."""
import pytest

from shop.payments.stripe_gateway import MalformedEvent
from shop.payments.webhooks import MAX_AMOUNT, MAX_ID_LENGTH, read_stripe_event
from tests.stripe_stub import make_event


def _charge(**changes):
    return {"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "amount_refunded": 500,
            "metadata": {"order_id": "ord-1"}, "refunds": {"data": [{"id": "re_1"}]}, **changes}


def _session(**changes):
    return {"id": "cs_1", "object": "checkout.session", "payment_status": "paid", "status": "complete",
            "amount_total": 100, "metadata": {"order_id": "ord-1"}, "payment_intent": "pi_1", **changes}


def test_a_refunded_charge_is_read_into_the_order_the_intent_the_cumulative_amount_and_the_refund_id():
    kind, event_id, obj = read_stripe_event(make_event("charge.refunded", _charge(), event_id="evt_7"))
    assert (kind, event_id) == ("charge.refunded", "evt_7")
    assert obj == {"public_id": "ord-1", "payment_intent": "pi_1", "amount_refunded": 500, "reference": "re_1"}


def test_a_refunded_charge_without_metadata_or_refund_list_is_read_with_blanks():
    bare = {"id": "ch_1", "payment_intent": "pi_9", "amount_refunded": 0}
    assert read_stripe_event(make_event("charge.refunded", bare))[2] == {
        "public_id": "", "payment_intent": "pi_9", "amount_refunded": 0, "reference": None}
    empty = _charge(refunds={"data": []}, metadata=None, payment_intent=None, amount_refunded=None)
    assert read_stripe_event(make_event("charge.refunded", empty))[2] == {
        "public_id": "", "payment_intent": "", "amount_refunded": 0, "reference": None}


def test_a_refund_without_an_id_has_no_reference():
    obj = read_stripe_event(make_event("charge.refunded", _charge(refunds={"data": [{"id": ""}]})))[2]
    assert obj["reference"] is None


def test_a_session_is_read_with_its_intent_given_as_an_object_or_an_id():
    obj = read_stripe_event(make_event("checkout.session.completed", _session(payment_intent={"id": "pi_2"})))[2]
    assert obj == {"id": "cs_1", "metadata": {"order_id": "ord-1"}, "client_reference_id": "",
                   "payment_status": "paid", "status": "complete", "payment_intent": "pi_2", "amount_total": 100}


def test_an_event_type_the_shop_does_not_handle_is_read_as_empty_whatever_its_body():
    assert read_stripe_event({"type": "invoice.paid", "id": None, "data": "anything"}) == ("invoice.paid", "", {})


def test_the_largest_amount_and_longest_id_are_accepted():
    longest = "x" * MAX_ID_LENGTH
    obj = read_stripe_event(make_event("charge.refunded", _charge(amount_refunded=MAX_AMOUNT, payment_intent=longest)))
    assert (obj[2]["amount_refunded"], obj[2]["payment_intent"]) == (MAX_AMOUNT, longest)


MALFORMED = [
    ("event not an object", ["x"], "event is not an object"),
    ("event null", None, "event is not an object"),
    ("type not a text", {"type": 5}, "event type is not a text"),
    ("event id missing", {**make_event("charge.refunded", _charge()), "id": ""}, "event id is missing"),
    ("no data", {"type": "charge.refunded", "id": "evt_1"}, "data is not an object"),
    ("object missing", {**make_event("charge.refunded", {}), "data": {}}, "data.object is not an object"),
    ("refunds a number", make_event("charge.refunded", _charge(refunds=5)), "refunds is not an object"),
    ("refund data a dict", make_event("charge.refunded", _charge(refunds={"data": {"id": "re_1"}})),
     "refunds are not a list"),
    ("refund entry null", make_event("charge.refunded", _charge(refunds={"data": [None]})),
     "refund is not an object"),
    ("refund entry a text", make_event("charge.refunded", _charge(refunds={"data": ["re_1"]})),
     "refund is not an object"),
    ("metadata a list", make_event("charge.refunded", _charge(metadata=["x"])), "metadata is not an object"),
    ("order id a number", make_event("charge.refunded", _charge(metadata={"order_id": 7})),
     "order id is not a short text"),
    ("intent a list", make_event("charge.refunded", _charge(payment_intent=["pi"])),
     "payment intent is not a short text"),
    ("intent too long", make_event("charge.refunded", _charge(payment_intent="p" * (MAX_ID_LENGTH + 1))),
     "payment intent is not a short text"),
    ("amount a text", make_event("charge.refunded", _charge(amount_refunded="5")), "amount refunded is not an amount"),
    ("amount true", make_event("charge.refunded", _charge(amount_refunded=True)), "amount refunded is not an amount"),
    ("amount too large", make_event("charge.refunded", _charge(amount_refunded=MAX_AMOUNT + 1)),
     "amount refunded is not an amount"),
    ("refund id with CR", make_event("charge.refunded", _charge(refunds={"data": [{"id": "re\r1"}]})),
     "refund id is not a short text"),
    ("session id missing", make_event("checkout.session.completed", _session(id=None)), "session id is missing"),
    ("session total negative", make_event("checkout.session.completed", _session(amount_total=-1)),
     "amount total is not an amount"),
    ("session status a list", make_event("checkout.session.expired", _session(status=["x"])),
     "session status is not a short text"),
    ("session payment status a number", make_event("checkout.session.completed", _session(payment_status=1)),
     "payment status is not a short text"),
    ("client reference a dict", make_event("checkout.session.completed", _session(client_reference_id={})),
     "client reference is not a short text"),
]


@pytest.mark.parametrize(("event", "reason"), [(event, reason) for _, event, reason in MALFORMED],
                         ids=[name for name, _, _ in MALFORMED])
def test_a_malformed_event_is_refused_naming_the_value_that_is_wrong(event, reason):
    with pytest.raises(MalformedEvent) as refused:
        read_stripe_event(event)
    assert str(refused.value) == reason


SESSION_MALFORMED = [
    ("metadata a list", _session(metadata=["x"]), "metadata is not an object"),
    ("order id a number", _session(metadata={"order_id": 7}), "order id is not a short text"),
    ("intent object with a numeric id", _session(payment_intent={"id": 5}), "payment intent is not a short text"),
]


@pytest.mark.parametrize(("session", "reason"), [(session, reason) for _, session, reason in SESSION_MALFORMED],
                         ids=[name for name, _, _ in SESSION_MALFORMED])
def test_a_malformed_session_is_refused_naming_the_value_that_is_wrong(session, reason):
    with pytest.raises(MalformedEvent) as refused:
        read_stripe_event(make_event("checkout.session.completed", session))
    assert str(refused.value) == reason
