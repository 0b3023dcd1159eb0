"""Kaspi by invoice: the buyer is told what happens next, staff confirm the payment in their queue or cancel."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.services import availability
from shop.models import AuditEntry, Hold, Order, OutboxMessage, Payment, Product, Refund, User
from tests.conftest import english_client, login
from tests.factories import make_product, make_user
from tests.views.helpers import BUYER, add, path_of


def _order() -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order).order_by(Order.id.desc()).limit(1))


def _kaspi_checkout(client, product, quantity=1, **changes):
    add(client, product, quantity)
    return client.post("/checkout", data={**BUYER, "payment_method": "kaspi", **changes})


@pytest.fixture
def staff(tiptop_app):
    browser = english_client(tiptop_app)
    login(browser, make_user(role="staff"))
    return browser


def test_choosing_kaspi_holds_the_order_for_the_kaspi_time_and_says_what_happens_next(tiptop_app, tiptop_client):
    product = make_product(stock=5)
    response = _kaspi_checkout(tiptop_client, product, 2)
    order = _order()
    assert response.status_code == 303 and path_of(response).startswith("/pay/kaspi/")
    assert order.payment_provider == "kaspi" and order.payment_status == "pending_payment"
    hold = db.session.scalar(select(Hold).where(Hold.order_id == order.id))
    assert hold.expires_at - order.created_at == timedelta(minutes=tiptop_app.config["KASPI_HOLD_MINUTES"])
    page = tiptop_client.get(path_of(response)).get_data(as_text=True)
    assert BUYER["phone"] in page and "Kaspi" in page
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("how-to-pay:")))
    assert mail.recipient == BUYER["email"] and BUYER["phone"] in mail.body_text


def test_the_buyer_can_correct_the_number_the_invoice_goes_to(tiptop_client):
    response = _kaspi_checkout(tiptop_client, make_product(stock=5))
    page = path_of(response)
    assert tiptop_client.post(page, data={"phone": "+7 777 000 11 22"}).status_code == 303
    order = _order()
    assert order.phone == "+7 777 000 11 22"
    assert [(e.kind, e.to_status) for e in order.events] == [("note", "pending_payment")]  # neither state moved
    assert "+7 777 000 11 22" in order.events[0].note
    assert tiptop_client.post(page, data={"phone": "no"}).status_code == 400


def test_the_kaspi_page_is_only_for_the_buyer_who_placed_the_order(tiptop_app, tiptop_client):
    response = _kaspi_checkout(tiptop_client, make_product(stock=5))
    assert english_client(tiptop_app).get(path_of(response)).status_code == 404


def test_staff_mark_a_kaspi_order_paid_with_its_transaction_number_and_it_is_fulfilled_like_any_other(
        tiptop_client, staff):
    product = make_product(stock=5)
    _kaspi_checkout(tiptop_client, product, 2)
    order = _order()
    queue = staff.get("/admin/payments/kaspi").get_data(as_text=True)
    assert str(order.number) in queue and BUYER["phone"] in queue
    assert staff.post(f"/admin/orders/{order.id}/kaspi-paid", data={"transaction": "KSP-7781234"}).status_code == 303
    order = _order()
    assert order.payment_status == "paid" and order.needs_attention == ""
    assert db.session.get(Product, product.id).on_hand == 3
    assert db.session.scalar(select(Payment.payment_intent)) == "KSP-7781234"
    clerk = db.session.scalar(select(User.id).where(User.role == "staff"))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "order.paid"))
    assert (entry.actor_id, entry.target, json.loads(entry.details)) == (clerk, f"order:{order.public_id}", {
        "provider": "kaspi", "transaction": "KSP-7781234", "amount_minor": order.total_minor})
    paid = next(event for event in order.events if event.to_status == "paid")
    assert (paid.actor_id, paid.note, paid.created_at.replace(tzinfo=None)) == (
        clerk, "kaspi KSP-7781234", order.paid_at.replace(tzinfo=None))
    assert entry.created_at.replace(tzinfo=None) == order.paid_at.replace(tzinfo=None)
    confirmation = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == f"order-confirmation:{order.id}")
    assert db.session.scalar(confirmation)
    assert str(order.number) not in staff.get("/admin/payments/kaspi").get_data(as_text=True)


def test_one_kaspi_transaction_number_pays_one_order_only(tiptop_app, tiptop_client, staff):
    product = make_product(stock=5)
    _kaspi_checkout(tiptop_client, product)
    first = _order()
    _kaspi_checkout(english_client(tiptop_app), product, email="second@example.kz")
    second = _order()
    staff.post(f"/admin/orders/{first.id}/kaspi-paid", data={"transaction": "KSP-1"})
    response = staff.post(f"/admin/orders/{second.id}/kaspi-paid", data={"transaction": "KSP-1"})
    assert response.status_code == 400 and "already recorded" in response.get_data(as_text=True)
    assert db.session.get(Order, second.id).payment_status == "pending_payment"


def test_staff_cancel_an_unpaid_kaspi_order_and_its_kits_are_on_sale_again(tiptop_client, staff):
    product = make_product(stock=5)
    _kaspi_checkout(english_client(tiptop_client.application), product, email="other@example.kz")
    someone_elses = _order()
    _kaspi_checkout(tiptop_client, product, 2)
    order = _order()
    assert availability([product.id], utcnow())[product.id] == 2
    assert staff.post(f"/admin/orders/{order.id}/kaspi-cancel").status_code == 303
    assert _order().payment_status == "cancelled"
    assert availability([product.id], utcnow())[product.id] == 4
    assert db.session.scalars(select(Payment.status).where(Payment.order_id == someone_elses.id)).all() == [
        "pending"]  # another buyer's invoice still waits
    member = db.session.scalar(select(User).where(User.role == "staff"))
    assert [(event.to_status, event.actor_id) for event in _order().events][-1] == ("cancelled", member.id)


def test_a_kaspi_order_left_unpaid_expires_with_its_hold(tiptop_app, tiptop_client):
    from shop.orders.expiry import expire_orders

    product = make_product(stock=5)
    _kaspi_checkout(tiptop_client, product)
    order = _order()
    expire_orders(utcnow() + timedelta(minutes=tiptop_app.config["KASPI_HOLD_MINUTES"] + 1))
    assert _order().payment_status == "cancelled"
    assert db.session.scalar(select(Payment.status)) == "expired"
    assert order.payment_status == "cancelled"


def test_a_kaspi_payment_confirmed_after_the_order_lapsed_is_still_taken_while_stock_lasts(tiptop_client, staff):
    product = make_product(stock=5)
    _kaspi_checkout(tiptop_client, product)
    order = _order()
    db.session.execute(update(Hold).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    from shop.orders.expiry import expire_orders

    expire_orders(utcnow())
    assert staff.post(f"/admin/orders/{order.id}/kaspi-paid", data={"transaction": "KSP-LATE"}).status_code == 303
    assert _order().payment_status == "paid" and db.session.get(Product, product.id).on_hand == 4


def test_a_kaspi_refund_is_recorded_by_staff_with_its_kaspi_reference_and_restocks(tiptop_client, staff):
    product = make_product(stock=5, price=500000)
    _kaspi_checkout(tiptop_client, product, 2)
    order = _order()
    staff.post(f"/admin/orders/{order.id}/kaspi-paid", data={"transaction": "KSP-9"})
    line = order.lines[0].id
    form = {"request_key": "k1", "reason": "Damaged", f"refund_{line}": "1", f"restock_{line}": "1"}
    refused = staff.post(f"/admin/orders/{order.id}/refund", data=form)
    assert refused.status_code == 400 and "Kaspi" in refused.get_data(as_text=True)
    asked = staff.post(f"/admin/orders/{order.id}/refund", data={**form, "provider_reference": "KSP-R-42"})
    assert "made in Kaspi" in asked.get_data(as_text=True) and db.session.scalar(select(Refund.id)) is None
    made = staff.post(f"/admin/orders/{order.id}/refund",
                      data={**form, "provider_reference": "KSP-R-42", "confirm": "1"})
    assert made.status_code == 303
    refund = db.session.scalar(select(Refund))
    assert (refund.amount_minor, refund.reference) == (500000, "kaspi:KSP-R-42")
    assert db.session.get(Product, product.id).on_hand == 4
    assert _order().payment_status == "partially_refunded"
    assert db.session.scalar(select(func.count(Refund.id))) == 1


def test_a_corrected_number_is_stored_trimmed_noted_once_and_only_while_the_order_waits(tiptop_client):
    from shop.errors import NotFound
    from shop.orders.placing import change_kaspi_phone

    _kaspi_checkout(tiptop_client, make_product(stock=5))
    order, now = _order(), utcnow()
    before = order.phone
    change_kaspi_phone(order.id, "  +7 777 000 11 22  ", now=now)
    change_kaspi_phone(order.id, "+7 777 000 11 22", now=now)  # the same number again notes nothing
    order = _order()
    assert order.phone == "+7 777 000 11 22"
    assert [e.note for e in order.events] == [f"Kaspi number changed from {before} to +7 777 000 11 22"]
    assert order.events[0].created_at == now
    db.session.execute(update(Order).values(payment_status="cancelled"))
    db.session.execute(delete(Hold).where(Hold.order_id == order.id))  # as cancelling an unpaid order does
    db.session.commit()
    for order_id in (order.id, order.id + 1000):
        with pytest.raises(NotFound):
            change_kaspi_phone(order_id, "+7 701 000 00 00", now=now)
    assert _order().phone == "+7 777 000 11 22"
