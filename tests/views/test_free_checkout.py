"""An order a promo code makes free: confirmed without a payment method, through the one paid path; a total above
zero can never be confirmed that way."""
import pytest
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.extensions import db
from shop.models import (
    Enrolment,
    FiscalReceipt,
    Hold,
    Order,
    OutboxMessage,
    Payment,
    PromoCode,
    PromoRedemption,
    StockMovement,
)
from shop.orders.free import NotFree, complete_free_order
from shop.orders.receipts import without_receipts
from tests.factories import make_cohort, make_course, make_product, make_user
from tests.views.helpers import add, check_out, path_of


def make_code(code="GIFT", **fields) -> PromoCode:
    promo = PromoCode(code=code, **{"kind": "percent", "percent": 100, **fields})
    db.session.add(promo)
    db.session.commit()
    return promo


def _kit_with_course():
    course = make_course()
    cohort = make_cohort(course=course, capacity=3)
    return make_product(stock=4, price=500000, course=course), cohort


def test_checkout_says_no_payment_is_needed_when_a_code_covers_the_whole_order(client):
    make_code()
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "GIFT"})
    page = client.get("/checkout").get_data(as_text=True)
    assert 'data-total="₸0"' in page and "No payment needed" in page and "Confirm order" in page
    assert 'id="payment-methods" hidden' in page


def test_a_buyer_with_a_full_discount_gets_a_confirmed_order_without_paying(client):
    make_code(max_uses=5)
    kit, cohort = _kit_with_course()
    add(client, kit, cohort=cohort)
    client.post("/cart/promo", data={"code": "GIFT"})
    response = check_out(client, delivery_method="pickup", city="", address="")
    assert response.status_code == 303, response.data[:500]
    order = db.session.scalar(select(Order))
    assert path_of(response).endswith(f"/checkout/success?order={order.public_id}")
    assert client.get(path_of(response)).headers["Location"].endswith(f"/orders/{order.public_id}")
    assert (order.total_minor, order.payment_status, order.payment_provider) == (0, "paid", "free")
    assert db.session.scalar(select(Payment.provider).where(Payment.status == "paid")) == "free"
    assert db.session.scalar(select(Payment.amount_minor)) == 0
    db.session.expire_all()
    assert db.session.get(type(kit), kit.id).on_hand == 3
    assert db.session.scalar(select(func.count(Hold.id))) == 0
    assert db.session.scalar(select(StockMovement.delta).where(StockMovement.kind == "sold")) == -1
    assert db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort.id)) == 1
    confirmations = db.session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.startswith("order-confirmation:"))).all()
    assert confirmations == [f"order-confirmation:{order.id}"]
    assert db.session.scalar(select(PromoCode.uses)) == 1
    assert db.session.scalar(select(PromoRedemption.released_at)) is None
    assert order.needs_attention == ""
    page = client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert "No payment needed" in page


def test_a_free_order_asks_for_no_fiscal_receipt(client):
    make_code()
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "GIFT"})
    check_out(client, delivery_method="pickup", city="", address="")
    assert db.session.scalar(select(Order.payment_status)) == "paid"
    assert without_receipts() == [] and db.session.scalar(select(func.count(FiscalReceipt.id))) == 0


def test_a_full_discount_on_goods_still_charges_a_paid_delivery(client):
    make_code()
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "GIFT"})
    response = check_out(client)  # courier: the code leaves the delivery fee alone
    order = db.session.scalar(select(Order))
    assert order.total_minor == order.delivery_fee_minor > 0
    assert order.payment_status == "pending_payment" and order.payment_provider == "dummy"
    assert "/pay/test/" in path_of(response)


def test_a_code_that_includes_delivery_makes_a_delivered_order_free(client):
    make_code(includes_delivery=True)
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "GIFT"})
    check_out(client)
    order = db.session.scalar(select(Order))
    assert (order.total_minor, order.payment_status, order.payment_provider) == (0, "paid", "free")


def test_a_forged_free_confirmation_of_an_order_above_zero_is_refused(client):
    make_code(percent=50)
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "GIFT"})
    response = check_out(client, delivery_method="pickup", city="", address="", payment_method="free")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Order.id))) == 0
    check_out(client, delivery_method="pickup", city="", address="")
    order = db.session.scalar(select(Order))
    assert order.total_minor == 250000
    with pytest.raises(NotFree):
        complete_free_order(order.public_id, now=utcnow())
    order = db.session.scalar(select(Order))
    assert (order.payment_status, order.payment_provider) == ("pending_payment", "dummy")
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.provider == "free")) == 0


def test_staff_are_offered_no_money_refund_of_a_free_order_and_a_posted_one_is_refused(client, login_as):
    make_code()
    add(client, make_product(price=500000))
    client.post("/cart/promo", data={"code": "GIFT"})
    check_out(client, delivery_method="pickup", city="", address="")
    order = db.session.scalar(select(Order))
    login_as(make_user(role="staff"))
    page = client.get(f"/admin/orders/{order.id}")
    assert page.status_code == 200 and "Nothing was paid" in page.get_data(as_text=True)
    assert "Review the refund" not in page.get_data(as_text=True)
    response = client.post(f"/admin/orders/{order.id}/refund",
                           data={"basis": "amount", "amount_minor": "0", "reason": "Test", "confirm": "1"})
    assert response.status_code == 400
    assert db.session.scalar(select(Order.payment_status)) == "paid"
