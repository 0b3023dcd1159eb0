"""Marking paid at its edges: any amount other than the total is flagged, the payment named is the one paid,
and the provider's pre-payment check answers each case (found by `make mutation`)."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update

from shop.clock import utcnow
from shop.extensions import db
from shop.models import Cart, Enrolment, Hold, Order, OutboxMessage, Payment, ProcessedEvent
from shop.orders.paying import check_payment, mark_paid, record_failed_attempt
from tests.factories import make_cohort, make_product, make_user
from tests.views.helpers import add, check_out


@pytest.fixture
def pending(app, client):
    add(client, make_product(stock=5, price=100000), 2)
    check_out(client)
    order = db.session.scalar(select(Order))
    return order, db.session.scalar(select(Payment.reference))


def _pay(order, reference, amount=None, **options):
    return mark_paid(order.public_id, provider=options.pop("provider", "dummy"), reference=reference,
                     amount_minor=order.total_minor if amount is None else amount, now=options.pop("now", utcnow()),
                     **options)


def test_paying_exactly_the_total_flags_nothing_and_empties_the_cart(pending):
    order, reference = pending
    now = utcnow()
    assert order.cart_id is not None
    _pay(order, reference, payment_intent="pi_1", now=now)
    db.session.refresh(order)
    payment = db.session.scalar(select(Payment))
    assert (order.payment_status, order.needs_attention, order.paid_at) == ("paid", "", now)
    assert (payment.status, payment.payment_intent) == ("paid", "pi_1")
    assert db.session.scalar(select(Cart.id)) is None
    assert db.session.scalar(select(Hold.id)) is None


def test_paying_more_than_the_total_is_flagged_too(pending):
    order, reference = pending
    _pay(order, reference, amount=order.total_minor + 1)
    db.session.refresh(order)
    assert f"Paid {order.total_minor + 1} but the order totals {order.total_minor} (tiyn)." in order.needs_attention


def test_a_payment_page_the_shop_never_opened_pays_nothing(pending):
    order, _ = pending
    assert _pay(order, "never-opened") is None
    assert _pay(order, None, provider="stripe") is None
    db.session.refresh(order)
    assert order.payment_status == "pending_payment"


def test_a_provider_that_names_no_page_pays_the_orders_open_payment(pending):
    order, _ = pending
    assert _pay(order, None, payment_intent="T-1").payment_status == "paid"
    assert db.session.scalar(select(Payment.payment_intent)) == "T-1"


def test_the_same_provider_event_pays_once_and_a_paid_order_is_returned_as_it_is(pending):
    order, reference = pending
    _pay(order, reference, event_id="ev-1")
    assert _pay(order, reference, event_id="ev-1") is None
    again = _pay(order, reference, event_id="ev-2", amount=1)
    assert again.id == order.id and again.needs_attention == ""


def test_an_unknown_order_is_not_paid(app):
    assert mark_paid("no-such-order", provider="dummy", reference="x", amount_minor=1, now=utcnow()) is None


def test_the_pre_payment_check_answers_each_case(pending):
    order, reference = pending
    now = utcnow()
    assert check_payment("no-such-order", amount_minor=1, currency="KZT", now=now) == "unknown"
    assert check_payment(order.public_id, amount_minor=order.total_minor + 1, currency="KZT", now=now) == "amount"
    assert check_payment(order.public_id, amount_minor=order.total_minor, currency="USD", now=now) == "amount"
    assert check_payment(order.public_id, amount_minor=order.total_minor, currency="KZT", now=now) == "ok"
    _pay(order, reference)
    assert check_payment(order.public_id, amount_minor=order.total_minor, currency="KZT", now=now) == "closed"


def test_the_pre_payment_check_takes_lapsed_holds_again_for_fifteen_minutes(pending):
    order, _ = pending
    later = utcnow() + timedelta(hours=2)
    assert check_payment(order.public_id, amount_minor=order.total_minor, currency="KZT", now=later) == "ok"
    hold = db.session.scalar(select(Hold).where(Hold.order_id == order.id))
    assert (hold.quantity, hold.order_line_id, hold.expires_at) == (2, order.lines[0].id, later + timedelta(minutes=15))


def test_the_pre_payment_check_refuses_when_the_lapsed_units_are_gone(pending, app):
    order, _ = pending
    now = utcnow()
    db.session.execute(update(Hold).values(expires_at=now - timedelta(minutes=1)))  # the reservation ran out
    db.session.commit()
    from shop.database import unit_of_work
    from shop.inventory.services import write_off
    with unit_of_work():
        write_off(order.lines[0].product, 4, now=now, reason="Broken")
    assert check_payment(order.public_id, amount_minor=order.total_minor, currency="KZT", now=now) == "lapsed"
    assert db.session.scalar(select(Hold.id).where(Hold.expires_at > now)) is None


def test_a_declined_attempt_is_counted_with_its_reason_and_the_order_stays_open(pending):
    order, _ = pending
    record_failed_attempt(order.public_id, provider="dummy", reason="x" * 400, event_id="f-1")
    record_failed_attempt(order.public_id, provider="dummy", reason="Card declined", event_id="f-2")
    assert record_failed_attempt(order.public_id, provider="dummy", reason="again", event_id="f-2") is None
    payment = db.session.scalar(select(Payment))
    assert (payment.failed_attempts, payment.last_failure) == (2, "Card declined")
    db.session.refresh(order)
    assert order.payment_status == "pending_payment"
    record_failed_attempt(order.public_id, provider="dummy", reason="y" * 400, event_id="f-3")
    assert len(db.session.scalar(select(Payment.last_failure))) == 300


def test_a_declined_attempt_counts_on_the_latest_payment_of_that_provider_of_that_order_only(pending):
    order, _ = pending
    other = Order(public_id="other-order", email="o@example.kz", full_name="O", phone="+77011234567",
                  delivery_method="pickup", subtotal_minor=0, total_minor=0, payment_status="pending_payment")
    db.session.add(other)
    db.session.flush()
    earlier = db.session.scalar(select(Payment))
    newer = Payment(order_id=order.id, provider="dummy", reference="ref-newer", amount_minor=order.total_minor)
    elsewhere = Payment(order_id=order.id, provider="tiptoppay", reference="ref-ttp", amount_minor=order.total_minor)
    theirs = Payment(order_id=other.id, provider="dummy", reference="ref-other", amount_minor=100)
    db.session.add_all([newer, elsewhere, theirs])
    db.session.commit()
    assert record_failed_attempt(order.public_id, provider="dummy", reason="Declined", event_id="f-9").id == order.id
    counts = {p.reference: p.failed_attempts for p in db.session.scalars(select(Payment))}
    assert counts == {earlier.reference: 0, "ref-newer": 1, "ref-ttp": 0, "ref-other": 0}
    event = db.session.get(ProcessedEvent, "f-9")
    assert (event.type, event.provider) == ("failed_attempt", "dummy")


def test_a_declined_attempt_for_an_unknown_order_changes_nothing(pending):
    assert record_failed_attempt("no-such-order", provider="dummy", reason="Declined", event_id="f-10") is None
    assert db.session.scalar(select(Payment.failed_attempts)) == 0


def _kit_and_seat_order(client, now):
    from tests.factories import make_cohort

    kit, cohort = make_product(stock=5, price=100000), make_cohort(capacity=4, starts_at=now + timedelta(days=3))
    add(client, kit, 1)
    add(client, cohort=cohort, quantity=2)
    check_out(client)
    order = db.session.scalar(select(Order))
    kit_line, seat_line = sorted(order.lines, key=lambda line: line.product_id is None)
    return order, kit_line, seat_line


def _holds(order):
    db.session.expire_all()
    return {hold.order_line_id: (hold.quantity, hold.expires_at)
            for hold in db.session.scalars(select(Hold).where(Hold.order_id == order.id))}


def test_the_pre_payment_check_takes_again_only_the_holds_that_ran_out_kits_and_seats_alike(app, client):
    now = utcnow()
    order, kit_line, seat_line = _kit_and_seat_order(client, now)
    kept_until = now + timedelta(hours=1)
    db.session.execute(update(Hold).where(Hold.order_line_id == kit_line.id).values(expires_at=kept_until))
    db.session.execute(update(Hold).where(Hold.order_line_id == seat_line.id).values(expires_at=now))  # ends now
    db.session.commit()
    assert check_payment(order.public_id, amount_minor=order.total_minor, currency="KZT", now=now) == "ok"
    assert _holds(order) == {kit_line.id: (1, kept_until), seat_line.id: (2, now + timedelta(minutes=15))}


def test_the_pre_payment_check_takes_seats_again_for_every_lapsed_line(app, client):
    now = utcnow()
    order, kit_line, seat_line = _kit_and_seat_order(client, now)
    db.session.execute(update(Hold).values(expires_at=now - timedelta(minutes=5)))
    db.session.commit()
    assert check_payment(order.public_id, amount_minor=order.total_minor, currency="KZT", now=now) == "ok"
    retaken = now + timedelta(minutes=15)
    assert _holds(order) == {kit_line.id: (1, retaken), seat_line.id: (2, retaken)}


def test_the_pre_payment_check_refuses_a_lapsed_seat_in_a_cohort_that_has_started(app, client):
    from shop.models import Cohort

    now = utcnow()
    order, _kit_line, seat_line = _kit_and_seat_order(client, now)
    later = now + timedelta(days=4)  # the holds ran out and the cohort began
    assert db.session.get(Cohort, seat_line.cohort_id).starts_at < later
    assert check_payment(order.public_id, amount_minor=order.total_minor, currency="KZT", now=later) == "lapsed"
    assert db.session.scalar(select(Hold.id).where(Hold.expires_at > later)) is None


def test_a_late_payment_sells_what_it_still_can_and_names_each_line_it_cannot(app, client):
    off_sale, kept, last = make_product(stock=5), make_product(stock=5), make_product(stock=5)
    cohort = make_cohort(capacity=1)
    for product, seat in ((off_sale, None), (kept, None), (None, cohort), (last, None)):
        add(client, product, cohort=seat)
    check_out(client)
    order = db.session.scalar(select(Order))
    db.session.execute(update(Hold).values(expires_at=utcnow() - timedelta(minutes=1)))  # the reservation ran out
    db.session.commit()
    other = app.test_client()
    add(other, cohort=cohort)
    assert check_out(other, email="other@example.kz").status_code == 303  # someone else took the seat
    off_sale.is_active = False
    db.session.commit()
    _pay(order, db.session.scalar(select(Payment.reference).where(Payment.order_id == order.id)))
    db.session.refresh(order)
    names = {line.product or line.cohort: line.name for line in order.lines}
    assert order.needs_attention == (
        f"«{names[off_sale]}»: the kit was taken off sale before the payment arrived; refund it.\n"
        f"Cohort of «{names[cohort]}» is full: refund or move the learner.")
    assert [product.on_hand for product in (off_sale, kept, last)] == [5, 4, 4]
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0
    told = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"order-problem:{order.id}"))
    assert names[off_sale] in told.body_text and names[cohort] in told.body_text
    assert names[kept] not in told.body_text


def test_a_payment_with_no_transaction_number_is_noted_by_its_page_and_shows_no_card(pending):
    order, reference = pending
    _pay(order, reference)
    db.session.refresh(order)
    payment = db.session.scalar(select(Payment))
    assert (payment.payment_intent, payment.card_last4) == ("", "")
    assert [event.note for event in order.events if event.to_status == "paid"] == [f"dummy {reference}"]


def test_staff_are_told_of_a_paid_order_in_their_language_whatever_the_buyers(app, pending):
    order, reference = pending
    with force_locale("en"):  # the buyer pays on the English site
        _pay(order, reference)
    told = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"new-order:{order.id}"))
    assert "Курьером по Алматы" in told.body_text and "Courier" not in told.body_text


def test_a_guest_order_paid_under_a_members_proven_address_goes_to_their_account_with_the_card_shown(pending):
    order, reference = pending
    member = make_user(email=order.email.upper())  # the address proven, the e-mail typed in another case
    _pay(order, reference, card_last4="4242")
    db.session.refresh(order)
    assert order.user_id == member.id
    assert db.session.scalar(select(Payment.card_last4)) == "4242"


def test_a_guest_order_under_an_address_someone_registered_without_proving_it_stays_a_guests(pending):
    order, reference = pending
    make_user(email=order.email, verified=False)
    _pay(order, reference)
    db.session.refresh(order)
    assert order.user_id is None


@pytest.mark.parametrize(("first", "second", "paid"), [("pending", "pending", 1), ("failed", "pending", 1),
                                                      ("pending", "failed", 0)])
def test_a_provider_that_names_no_page_pays_the_newest_open_one(pending, first, second, paid):
    order, reference = pending
    db.session.execute(update(Payment).values(status=first))
    db.session.add(Payment(order_id=order.id, provider="dummy", reference="pressed-pay-again",
                           amount_minor=order.total_minor, status=second))
    db.session.commit()
    _pay(order, None, payment_intent="T-2")
    pages = db.session.execute(select(Payment.status, Payment.payment_intent).order_by(Payment.id)).all()
    expected = [(first, ""), (second, "")]
    expected[paid] = ("paid", "T-2")
    assert [tuple(page) for page in pages] == expected
