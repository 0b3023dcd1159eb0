import time
from datetime import timedelta

from sqlalchemy import func, select

from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.services import availability
from shop.models import Order, Payment, ProcessedEvent, Refund, StockMovement
from shop.orders.expiry import expire_orders as release_expired
from shop.payments.providers import gateway_for
from shop.payments.reconcile import settle_late_payments
from tests.conftest import post_webhook
from tests.factories import make_product
from tests.stripe_stub import make_event
from tests.views.helpers import add, check_out


def _start(client, stub, product, quantity=2):
    add(client, product, quantity)
    response = check_out(client)
    assert response.status_code == 303, response.data[:500]
    session_id = next(iter(stub.sessions))
    return response, session_id


def _sold(product) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(StockMovement.delta), 0))
                             .where(StockMovement.product_id == product.id, StockMovement.kind == "sold"))


def test_checkout_creates_a_stripe_session_priced_by_the_shop_and_redirects_to_it(stripe_client, stripe_stub):
    product = make_product(stock=5, price=790000)
    response, session_id = _start(stripe_client, stripe_stub, product)
    session = stripe_stub.sessions[session_id]
    order = db.session.scalar(select(Order))
    assert response.headers["Location"] == session["url"]
    assert session["mode"] == "payment" and session["currency"] == "kzt"
    assert session["client_reference_id"] == order.public_id == session["metadata"]["order_id"]
    assert session["amount_total"] == order.total_minor
    method, path, params, headers = next(r for r in stripe_stub.requests if r[1] == "/v1/checkout/sessions")
    assert params["line_items"][0]["price_data"]["unit_amount"] in (790000, "790000")
    assert any(k.lower() == "idempotency-key" for k in headers)
    hold_end = int(order.created_at.timestamp()) + 31 * 60
    assert abs(int(params["expires_at"]) - hold_end) <= 5


def test_a_completed_session_webhook_marks_the_order_paid_and_sells_once(stripe_client, stripe_stub, now):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    event = make_event("checkout.session.completed", stripe_stub.complete(session_id))
    assert post_webhook(stripe_client, event).status_code == 200
    assert post_webhook(stripe_client, event).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "paid"
    assert _sold(product) == -2
    db.session.refresh(product)
    assert product.on_hand == 3
    assert db.session.scalar(select(func.count(ProcessedEvent.id))) == 1


def test_events_out_of_order_change_the_shop_once(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    session = stripe_stub.complete(session_id)
    post_webhook(stripe_client, make_event("checkout.session.async_payment_succeeded", session))
    post_webhook(stripe_client, make_event("checkout.session.completed", session))
    post_webhook(stripe_client, make_event("checkout.session.expired", {**session, "status": "expired"}))
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "paid"
    assert _sold(product) == -2


def test_a_bad_signature_gets_400_and_changes_nothing(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    event = make_event("checkout.session.completed", stripe_stub.complete(session_id))
    assert post_webhook(stripe_client, event, secret="whsec_wrong").status_code == 400
    response = stripe_client.post("/webhooks/stripe", json=event)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "pending_payment"
    assert db.session.scalar(select(ProcessedEvent.id)) is None


def test_a_signature_older_than_five_minutes_is_refused(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    event = make_event("checkout.session.completed", stripe_stub.complete(session_id))
    assert post_webhook(stripe_client, event, timestamp=int(time.time()) - 301).status_code == 400
    assert db.session.scalar(select(Order.payment_status)) == "pending_payment"


def test_an_expired_session_cancels_the_order_and_gives_the_stock_back(stripe_client, stripe_stub, now):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    assert availability([product.id], now)[product.id] == 3
    post_webhook(stripe_client, make_event("checkout.session.expired", stripe_stub.expire(session_id)))
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "cancelled"
    assert availability([product.id], now)[product.id] == 5


def test_a_failed_async_payment_cancels_the_order(stripe_client, stripe_stub, now):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    session = stripe_stub.complete(session_id, payment_status="unpaid")
    post_webhook(stripe_client, make_event("checkout.session.completed", session))
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "pending_payment"
    post_webhook(stripe_client, make_event("checkout.session.async_payment_failed", session))
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "cancelled"
    assert availability([product.id], now)[product.id] == 5


def test_when_stripe_is_down_the_buyer_is_told_the_order_stays_unpaid_and_the_cart_is_kept(stripe_client, stripe_stub):
    product = make_product(stock=5)
    add(stripe_client, product, 1)
    stripe_stub.down()
    response = check_out(stripe_client)
    stripe_stub.up()
    assert response.status_code == 200
    assert "could not be reached" in response.get_data(as_text=True)
    assert db.session.scalar(select(Order.payment_status)) == "pending_payment"
    assert db.session.scalar(select(Payment.id)) is None
    assert product.name_en in stripe_client.get("/cart").get_data(as_text=True)


def test_the_success_page_asks_stripe_so_a_late_webhook_does_not_leave_the_order_pending(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    stripe_stub.complete(session_id)
    order = db.session.scalar(select(Order))
    response = stripe_client.get(f"/checkout/success?order={order.public_id}&session_id={session_id}")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "paid"


def test_the_success_page_does_not_believe_the_query_string(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _start(stripe_client, stripe_stub, product)
    order = db.session.scalar(select(Order))
    stripe_client.get(f"/checkout/success?order={order.public_id}&session_id=cs_test_forged&paid=1")
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "pending_payment"


def test_checking_out_again_expires_the_earlier_stripe_session(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, first_session = _start(stripe_client, stripe_stub, product)
    check_out(stripe_client)
    assert stripe_stub.sessions[first_session]["status"] == "expired"
    assert db.session.scalars(select(Order.payment_status).order_by(Order.id)).all() == ["cancelled", "pending_payment"]


def test_a_refund_reported_by_stripe_is_recorded_once(stripe_client, stripe_stub):
    product = make_product(stock=5, price=500000)
    _, session_id = _start(stripe_client, stripe_stub, product, quantity=1)
    session = stripe_stub.complete(session_id)
    post_webhook(stripe_client, make_event("checkout.session.completed", session))
    order = db.session.scalar(select(Order))
    charge = {"id": "ch_1", "object": "charge", "payment_intent": session["payment_intent"],
              "amount_refunded": 200000, "metadata": {"order_id": order.public_id}, "refunds": {"data": []}}
    event = make_event("charge.refunded", charge)
    post_webhook(stripe_client, event)
    post_webhook(stripe_client, event)
    post_webhook(stripe_client, make_event("charge.refunded", charge))
    db.session.expire_all()
    assert db.session.scalars(select(Refund.amount_minor)).all() == [200000]
    assert db.session.scalar(select(Order.payment_status)) == "partially_refunded"


def test_an_unknown_event_type_is_acknowledged_and_ignored(stripe_client):
    response = post_webhook(stripe_client, make_event("customer.created", {"id": "cus_1"}))
    assert response.status_code == 200


def test_an_order_stripe_was_paid_for_without_a_webhook_is_fulfilled_not_cancelled_when_its_time_runs_out(
        stripe_client, stripe_stub, now):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    stripe_stub.complete(session_id)  # the buyer paid and closed the tab; the webhook never came
    later = now + timedelta(minutes=40)
    assert settle_late_payments(later, gateway_for) == 1
    assert release_expired(later)[:2] == (0, 0)
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "paid" and _sold(product) == -2


def test_an_unpaid_stripe_order_is_still_cancelled_when_its_time_runs_out(stripe_client, stripe_stub, now):
    product = make_product(stock=5)
    _start(stripe_client, stripe_stub, product)
    later = now + timedelta(minutes=40)
    assert settle_late_payments(later, gateway_for) == 0
    assert release_expired(later)[1] == 1
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "cancelled" and _sold(product) == 0


def test_when_stripe_cannot_be_asked_the_expired_order_is_cancelled_and_the_late_payment_still_honoured(
        stripe_client, stripe_stub, now, shop_logs):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    session = stripe_stub.complete(session_id)
    later = now + timedelta(minutes=40)
    stripe_stub.down()
    assert settle_late_payments(later, gateway_for) == 0
    stripe_stub.up()
    assert "could not ask stripe" in shop_logs.text
    assert release_expired(later)[1] == 1
    assert post_webhook(stripe_client, make_event("checkout.session.completed", session)).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "paid" and _sold(product) == -2


def test_a_delayed_payment_that_succeeds_pays_the_order_for_its_page_and_amount(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    session = stripe_stub.complete(session_id)
    assert post_webhook(stripe_client, make_event("checkout.session.async_payment_succeeded", session)).status_code \
        == 200
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    payment = db.session.scalar(select(Payment))
    assert (order.payment_status, order.needs_attention) == ("paid", "")
    assert (payment.reference, payment.status, payment.amount_minor) == (session_id, "paid", order.total_minor)
    assert payment.payment_intent == session["payment_intent"]
    assert db.session.execute(select(ProcessedEvent.type, ProcessedEvent.provider)).all() == [
        ("checkout.session.async_payment_succeeded", "stripe")]


def test_a_completed_session_the_shop_never_opened_pays_nothing(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    session = {**stripe_stub.complete(session_id), "id": "cs_test_never_opened_here"}
    assert post_webhook(stripe_client, make_event("checkout.session.completed", session)).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "pending_payment"
    assert _sold(product) == 0


def _events():
    return db.session.execute(select(ProcessedEvent.id, ProcessedEvent.type, ProcessedEvent.provider)).all()


def test_an_expired_session_cancels_its_order_once_and_frees_the_kits(stripe_client, stripe_stub, now):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    event = make_event("checkout.session.expired", stripe_stub.expire(session_id), event_id="evt_expired_1")
    assert post_webhook(stripe_client, event).status_code == 200
    assert post_webhook(stripe_client, event).status_code == 200
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    assert order.payment_status == "cancelled"
    assert db.session.scalar(select(Payment.status)) == "expired"
    assert availability([product.id], now)[product.id] == 5
    assert _events() == [("evt_expired_1", "checkout.session.expired", "stripe")]
    cancelled = [event for event in order.events if event.to_status == "cancelled"]
    assert len(cancelled) == 1 and abs((cancelled[0].created_at - now).total_seconds()) < 60
    assert cancelled[0].note == "checkout.session.expired"


def test_a_failed_delayed_payment_cancels_its_order(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    session = stripe_stub.complete(session_id, payment_status="unpaid")
    event = make_event("checkout.session.async_payment_failed", session, event_id="evt_failed_1")
    assert post_webhook(stripe_client, event).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Order.payment_status)) == "cancelled"
    assert _events() == [("evt_failed_1", "checkout.session.async_payment_failed", "stripe")]


def test_a_refund_event_is_recorded_as_handled_by_its_id(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, session_id = _start(stripe_client, stripe_stub, product)
    session = stripe_stub.complete(session_id)
    post_webhook(stripe_client, make_event("checkout.session.completed", session, event_id="evt_paid_1"))
    order = db.session.scalar(select(Order))
    charge = {"id": "ch_1", "object": "charge", "payment_intent": session["payment_intent"], "amount_refunded": 100,
              "metadata": {"order_id": order.public_id}, "refunds": {"data": [{"id": "re_1"}]}}
    assert post_webhook(stripe_client, make_event("charge.refunded", charge, event_id="evt_refund_1")).status_code \
        == 200
    db.session.expire_all()
    assert sorted(_events()) == [("evt_paid_1", "checkout.session.completed", "stripe"),
                                 ("evt_refund_1", "charge.refunded", "stripe")]


def test_stripes_expiry_of_a_page_whose_order_a_new_checkout_replaced_changes_nothing_more(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, first_session = _start(stripe_client, stripe_stub, product)
    check_out(stripe_client)  # the buyer checks out again: the first order is cancelled, its page closed
    first = db.session.scalar(select(Payment).where(Payment.reference == first_session))
    assert first.status == "expired"
    event = make_event("checkout.session.expired", stripe_stub.sessions[first_session])
    assert post_webhook(stripe_client, event).status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(Payment.status).order_by(Payment.id)).all() == ["expired", "pending"]
    assert db.session.scalars(select(Order.payment_status).order_by(Order.id)).all() == ["cancelled", "pending_payment"]
    assert availability([product.id], utcnow())[product.id] == 3


def test_stripes_expiry_of_another_page_still_open_on_a_cancelled_order_closes_that_page(stripe_client, stripe_stub):
    product = make_product(stock=5)
    _, first_session = _start(stripe_client, stripe_stub, product)
    check_out(stripe_client)  # the first order is cancelled
    first = db.session.scalar(select(Order).order_by(Order.id))
    other = Payment(order_id=first.id, provider="stripe", reference="cs_test_other_page",
                    amount_minor=first.total_minor)
    db.session.add(other)
    db.session.commit()
    session = {**stripe_stub.sessions[first_session], "id": "cs_test_other_page", "status": "expired"}
    assert post_webhook(stripe_client, make_event("checkout.session.expired", session)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Payment, other.id).status == "expired"
