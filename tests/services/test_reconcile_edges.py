"""Asking the provider about a late payment: which page is recorded paid, with what, which pages are asked
about and when, and how many were settled (found by `make mutation`)."""
from sqlalchemy import func, select, update

from shop.clock import utcnow
from shop.extensions import db
from shop.models import Hold, Order, Payment, ProcessedEvent
from shop.payments.gateway import SessionState
from shop.payments.reconcile import settle_from_provider, settle_late_payments
from tests.admin_support import pending_order


class ProviderSays:
    """The dummy provider answering that the pages in ``paid`` were paid (under their transaction ids), and
    noting every page it was asked about."""

    name = "dummy"
    min_hold_minutes = 0
    refunds_by_hand = False
    instructions_email = None

    def __init__(self, paid: dict[str, str]):
        self.paid = paid
        self.asked: list[str] = []

    def retrieve(self, reference: str, *, order_public_id: str = "") -> SessionState:
        self.asked.append(reference)
        payment = db.session.scalar(select(Payment).where(Payment.reference == reference))
        public_id = db.session.get(Order, payment.order_id).public_id
        if reference in self.paid:
            return SessionState(reference, public_id, True, False, self.paid[reference], payment.amount_minor)
        return SessionState(reference, public_id, False, False, "", 0)


def _another_page(order, reference: str) -> Payment:
    payment = Payment(order_id=order.id, provider="dummy", reference=reference, amount_minor=order.total_minor)
    db.session.add(payment)
    db.session.commit()
    return payment


def _runs_out(order):
    return db.session.scalar(select(func.min(Hold.expires_at)).where(Hold.order_id == order.id))


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def test_the_page_the_provider_says_was_paid_is_recorded_paid_with_its_transaction(app, now):
    order, first = pending_order(app)
    later_page = _another_page(order, "dummy_later_page")
    assert settle_from_provider(first.reference, order.public_id, ProviderSays({first.reference: "tx-1"}), now=now)
    paid = _fresh(Payment, first.id)
    assert (paid.status, paid.payment_intent) == ("paid", "tx-1")
    assert _fresh(Payment, later_page.id).status == "pending"
    order = _fresh(Order, order.id)
    assert (order.payment_status, order.needs_attention) == ("paid", "")


def test_a_payment_settled_by_asking_is_known_as_handled_when_its_notification_follows(app, now):
    order, payment = pending_order(app)
    settle_from_provider(payment.reference, order.public_id, ProviderSays({payment.reference: "tx-1"}), now=now)
    event = _fresh(ProcessedEvent, "dummy:pay:tx-1")
    assert (event.type, event.provider) == ("paid", "dummy")


def test_late_payments_without_a_transaction_id_are_each_settled_and_counted(app):
    (first, first_page), (second, second_page) = pending_order(app), pending_order(app)
    provider = ProviderSays({first_page.reference: "", second_page.reference: ""})
    assert settle_late_payments(max(_runs_out(first), _runs_out(second)), lambda name: provider) == 2
    assert (_fresh(Order, first.id).payment_status, _fresh(Order, second.id).payment_status) == ("paid", "paid")


def test_an_order_whose_reservation_still_runs_is_left_to_its_notification(app):
    order, payment = pending_order(app)
    provider = ProviderSays({payment.reference: "tx-1"})
    assert settle_late_payments(utcnow(), lambda name: provider) == 0
    assert provider.asked == [] and _fresh(Order, order.id).payment_status == "pending_payment"


def test_an_order_is_asked_about_the_moment_its_reservation_runs_out(app):
    order, payment = pending_order(app)
    provider = ProviderSays({payment.reference: "tx-1"})
    assert settle_late_payments(_runs_out(order), lambda name: provider) == 1
    assert _fresh(Order, order.id).payment_status == "paid"


def test_a_page_already_known_to_have_failed_is_not_asked_about(app):
    order, failed = pending_order(app)
    db.session.execute(update(Payment).where(Payment.id == failed.id).values(status="failed"))
    db.session.commit()
    retry = _another_page(order, "dummy_retry_page")
    provider = ProviderSays({})
    assert settle_late_payments(_runs_out(order), lambda name: provider) == 0
    assert provider.asked == [retry.reference]
