"""A provider's own refund report: which order and which payment it is for, counted once, dated when it came,
and what it leaves behind (found by `make mutation`)."""
from datetime import timedelta

from sqlalchemy import select, update

from shop.clock import utcnow
from shop.database import unit_of_work
from shop.extensions import db
from shop.models import Order, OrderEvent, Payment, ProcessedEvent, Product, Refund, StockMovement
from shop.orders.paying import mark_paid
from shop.orders.receipts import without_receipts
from shop.orders.refunds import RefundRequest, apply_provider_refund, record_provider_refund, refund_order
from tests.admin_support import RecordingGateway, paid_order
from tests.factories import make_product
from tests.views.helpers import add, check_out


def _refunds(order):
    db.session.expire_all()
    return db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)).all()


def _status(order) -> str:
    db.session.expire_all()
    return db.session.get(Order, order.id).payment_status


def _payment_of(order) -> Payment:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id))


def _paid_through(order, provider: str, intent: str) -> Payment:
    """Make the order's payment one taken by ``provider`` under the transaction ``intent``."""
    db.session.execute(update(Payment).where(Payment.order_id == order.id)
                       .values(provider=provider, payment_intent=intent))
    db.session.commit()
    return _payment_of(order)


def _another_page(order, provider: str, reference: str, status: str = "pending") -> Payment:
    """Open one more payment page of ``order`` (the buyer pressed "pay" again, or tried another provider)."""
    payment = Payment(order_id=order.id, provider=provider, reference=reference, amount_minor=order.total_minor,
                      status=status)
    db.session.add(payment)
    db.session.commit()
    return payment


def _pending_order(client, quantity: int = 1) -> Order:
    add(client, make_product(stock=5), quantity)
    check_out(client)
    return db.session.scalar(select(Order).order_by(Order.id.desc()).limit(1))


def test_a_stripe_refund_without_the_order_id_finds_the_order_by_its_payment_intent(app):
    product = make_product(stock=5)
    first, second = paid_order(app, product, 2), paid_order(app, product, 1)
    _paid_through(first, "stripe", "pi_first")
    _paid_through(second, "stripe", "pi_second")
    found = record_provider_refund(public_id="", payment_intent="pi_second", now=utcnow(), event_id="evt_1",
                                   amount_refunded=second.total_minor, reference="re_1")
    assert found.id == second.id
    assert (_status(first), _status(second)) == ("paid", "refunded")
    assert [(r.amount_minor, r.reference) for r in _refunds(second)] == [(second.total_minor, "re_1")]
    assert _refunds(first) == []
    event = db.session.get(ProcessedEvent, "evt_1")
    assert (event.type, event.provider) == ("charge.refunded", "stripe")


def test_a_refund_of_an_older_order_is_counted_against_that_orders_own_payment(app):
    product = make_product(stock=5)
    older, newer = paid_order(app, product, 2), paid_order(app, product, 1)
    record_provider_refund(public_id=older.public_id, payment_intent="", now=utcnow(), event_id="ev-1",
                           amount_refunded=older.total_minor, provider="dummy")
    assert (_status(older), _status(newer)) == ("refunded", "paid")
    assert [(r.amount_minor, r.payment_id) for r in _refunds(older)] == [(older.total_minor, _payment_of(older).id)]


def test_a_refund_reported_by_another_provider_than_the_one_paid_is_remembered_on_that_providers_payment(app):
    order = paid_order(app, make_product(stock=5), 1)
    elsewhere = _another_page(order, "tiptoppay", "ttp-page-1")
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="tiptoppay:refund:77",
                           refund_amount=1000, reference="77", provider="tiptoppay", event_type="refund")
    assert _status(order) == "paid" and _refunds(order) == []
    assert db.session.get(Payment, elsewhere.id).refunded_at_provider_minor == 1000
    assert db.session.get(Payment, _payment_of(order).id).refunded_at_provider_minor == 0
    event = db.session.get(ProcessedEvent, "tiptoppay:refund:77")
    assert (event.type, event.provider) == ("refund", "tiptoppay")


def test_a_refund_goes_against_the_paid_page_when_the_buyer_opened_a_later_one_that_expired(app):
    order = paid_order(app, make_product(stock=5), 1)
    paid = _payment_of(order)
    _another_page(order, "dummy", "dummy_later_page", status="expired")
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-1",
                           amount_refunded=1000, provider="dummy")
    assert _status(order) == "partially_refunded"
    assert [(r.amount_minor, r.payment_id) for r in _refunds(order)] == [(1000, paid.id)]


def test_a_refund_reported_before_the_payment_is_applied_when_the_latest_page_opened_is_paid(app, client):
    order = _pending_order(client)
    latest = _another_page(order, "dummy", "dummy_latest_page")
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-1",
                           refund_amount=700, reference="R-1", provider="dummy")
    paid_at = utcnow() - timedelta(minutes=5)
    mark_paid(order.public_id, provider="dummy", reference=latest.reference, amount_minor=order.total_minor,
              now=paid_at)
    assert _status(order) == "partially_refunded"
    assert [(r.amount_minor, r.payment_id, r.created_at.replace(tzinfo=None)) for r in _refunds(order)] == [
        (700, latest.id, paid_at.replace(tzinfo=None))]  # applied, and dated, when the payment arrived


def test_one_refund_reported_twice_before_the_payment_is_remembered_once(app, client):
    order = _pending_order(client)
    for _ in range(2):
        record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-refund-1",
                               refund_amount=300, reference="R-1", provider="dummy")
    assert db.session.scalar(select(Payment.refunded_at_provider_minor)) == 300


def test_a_report_naming_no_amount_refunded_before_the_payment_leaves_the_paid_order_whole(app, client):
    order = _pending_order(client)
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-1",
                           amount_refunded=0, provider="dummy")
    assert db.session.scalar(select(Payment.refunded_at_provider_minor)) == 0
    mark_paid(order.public_id, provider="dummy", reference=_payment_of(order).reference,
              amount_minor=order.total_minor, now=utcnow())
    assert _status(order) == "paid" and _refunds(order) == []


def test_a_report_naming_no_amount_refunded_changes_nothing_on_a_paid_order(app):
    order = paid_order(app, make_product(stock=5), 1)
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-1",
                           amount_refunded=0, provider="dummy")
    assert _status(order) == "paid" and _refunds(order) == []


def test_a_provider_refund_of_a_single_tiyn_is_recorded(app):
    order = paid_order(app, make_product(stock=5), 1)
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-1",
                           amount_refunded=1, provider="dummy")
    assert _status(order) == "partially_refunded"
    assert [r.amount_minor for r in _refunds(order)] == [1]


def test_a_provider_refund_awaits_its_fiscal_receipt_under_its_provider_from_the_time_it_was_reported(app, later):
    order = paid_order(app, make_product(stock=5), 1)
    _paid_through(order, "tiptoppay", "tx-1")
    reported_at = later(minutes=30)
    record_provider_refund(public_id=order.public_id, payment_intent="tx-1", now=reported_at,
                           event_id="tiptoppay:refund:tx-9", refund_amount=1000, reference="tx-9", provider="tiptoppay",
                           event_type="refund")
    waiting = [(item.provider, item.amount_minor, item.at) for item in without_receipts() if item.refund_id]
    assert waiting == [("tiptoppay", 1000, reported_at)]
    assert [r.reference for r in _refunds(order)] == ["tx-9"]


def test_a_full_provider_refund_before_packing_is_dated_and_explained_in_the_history_and_the_stock_ledger(app, later):
    product = make_product(stock=5)
    order = paid_order(app, product, 2)
    reported_at = later(minutes=30)
    record_provider_refund(public_id=order.public_id, payment_intent="", now=reported_at, event_id="ev-1",
                           amount_refunded=order.total_minor, provider="dummy")
    assert db.session.get(Product, product.id).on_hand == 5
    assert [r.created_at for r in _refunds(order)] == [reported_at]
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id,
                                                       OrderEvent.to_status == "refunded"))
    assert event.created_at == reported_at
    movement = db.session.scalar(select(StockMovement).where(StockMovement.product_id == product.id)
                                 .order_by(StockMovement.id.desc()).limit(1))
    assert (movement.delta, movement.reason, movement.created_at) == (
        2, "Refunded at the provider before packing", reported_at)


def test_a_later_refund_keeps_its_reference_after_one_recorded_without_a_reference(app, client):
    order = _pending_order(client)
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-1",
                           refund_amount=300, reference="R-1", provider="dummy")
    mark_paid(order.public_id, provider="dummy", reference=_payment_of(order).reference,
              amount_minor=order.total_minor, now=utcnow())  # the early refund is recorded now, without R-1
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-2",
                           refund_amount=200, reference="R-2", provider="dummy")
    record_provider_refund(public_id=order.public_id, payment_intent="", now=utcnow(), event_id="ev-2-again",
                           refund_amount=200, reference="R-2", provider="dummy")
    assert [(r.amount_minor, r.reference) for r in _refunds(order)] == [(300, None), (200, "R-2")]


def test_a_provider_refund_under_a_reference_the_shop_already_holds_is_still_recorded_without_it(app):
    order = paid_order(app, make_product(stock=5), 1)
    staff = refund_order(RefundRequest(order.id, 1000, "Damaged", {}), gateway=RecordingGateway(), actor_id=None,
                         now=utcnow())
    with unit_of_work():
        order = db.session.get(Order, order.id)
        apply_provider_refund(order, _payment_of(order), 1500, reference=staff.reference, now=utcnow())
    assert [(r.amount_minor, r.reference) for r in _refunds(order)] == [(1000, staff.reference), (500, None)]

