"""TipTop Pay end to end against its stand-in: payment links, signed notifications in any order, fiscal receipts."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.services import availability
from shop.models import FiscalReceipt, Hold, Order, OutboxMessage, Payment, ProcessedEvent, Product, Refund
from tests.conftest import TIPTOP_ENV, deliver_to, english_client, login
from tests.factories import make_product, make_user
from tests.tiptoppay_stub import DEFAULT_CARD
from tests.views.helpers import BUYER, add, path_of

CARD_DECLINED = "4000 0566 5566 5556"


def _checkout(client, product, quantity=1, **changes):
    add(client, product, quantity)
    return client.post("/checkout", data={**BUYER, "payment_method": "tiptoppay", **changes})


def _order() -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order).order_by(Order.id.desc()).limit(1))


def _on_hand(product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).on_hand


def test_checkout_opens_a_payment_link_with_the_receipt_lines_and_sends_the_buyer_to_it(tiptop_client, tiptop_stub):
    product = make_product(stock=5, price=790000)
    response = _checkout(tiptop_client, product, 2)
    order = _order()
    [link] = tiptop_stub.links.values()
    assert response.status_code == 303 and response.headers["Location"] == link["Url"]
    assert link["InvoiceId"] == order.public_id and link["Amount"] == order.total_minor / 100
    items = link["Receipt"]["Items"] if "Items" in link["Receipt"] else link["Receipt"]["items"]
    assert sum(item["amount"] for item in items) * 100 == order.total_minor
    assert order.payment_provider == "tiptoppay"
    assert db.session.scalar(select(Payment.reference)) == link["Id"]


def test_a_card_payment_marks_the_order_paid_once_and_keeps_its_fiscal_receipt(tiptop_client, tiptop_stub):
    product = make_product(stock=5)
    _checkout(tiptop_client, product, 2)
    order = _order()
    tiptop_stub.pay(order.public_id, deliver_to(tiptop_client))
    order = _order()
    assert order.payment_status == "paid" and order.needs_attention == ""
    assert _on_hand(product) == 3
    receipt = db.session.scalar(select(FiscalReceipt))
    assert (receipt.kind, receipt.status, receipt.amount_minor) == ("sale", "issued", order.total_minor)
    assert receipt.payment_id == db.session.scalar(select(Payment.id)) and receipt.url.startswith("http")
    page = tiptop_client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert receipt.url in page
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"receipt:{receipt.id}"))
    assert mail.recipient == BUYER["email"] and receipt.url in mail.body_text


def test_the_same_notifications_delivered_twice_change_the_shop_once(tiptop_client, tiptop_stub):
    product = make_product(stock=5)
    _checkout(tiptop_client, product)
    order = _order()
    deliver = deliver_to(tiptop_client)
    transaction = tiptop_stub.pay(order.public_id, deliver, pay_twice=True)
    tiptop_stub.send("pay", deliver, transaction)
    tiptop_stub.send("receipt", deliver, tiptop_stub.receipts[0])
    assert all(d.accepted for d in tiptop_stub.deliveries)
    assert _on_hand(product) == 4
    assert db.session.scalar(select(func.count(FiscalReceipt.id))) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.dedupe_key.startswith("order-confirmation:"))) == 1


def test_pay_arriving_before_check_still_marks_the_order_paid(tiptop_client, tiptop_stub):
    product = make_product(stock=5)
    _checkout(tiptop_client, product)
    order = _order()
    tiptop_stub.pay(order.public_id, deliver_to(tiptop_client), order=["pay", "check"])
    assert _order().payment_status == "paid" and _on_hand(product) == 4
    assert [d.answer["code"] for d in tiptop_stub.deliveries] == [0, 13]  # the late Check: already paid


def test_a_refund_reported_before_the_payment_leaves_a_refunded_order_not_one_to_pack(tiptop_client, tiptop_stub):
    product = make_product(stock=5)
    _checkout(tiptop_client, product, 2)
    order = _order()
    deliver = deliver_to(tiptop_client)
    transaction = tiptop_stub.pay(order.public_id, deliver, order=[])  # paid at TipTop, nothing told yet
    tiptop_stub.refund(transaction["TransactionId"], deliver=deliver)  # refunded in the cabinet at once
    assert _order().payment_status == "pending_payment"
    tiptop_stub.send("pay", deliver, transaction)
    order = _order()
    assert order.payment_status == "refunded"
    assert db.session.scalar(select(func.sum(Refund.amount_minor))) == order.total_minor
    assert _on_hand(product) == 5


@pytest.mark.parametrize("headers", [{}, {"Content-HMAC": "forged", "X-Content-HMAC": "forged"}])
def test_a_notification_with_a_bad_or_missing_signature_is_refused_and_changes_nothing(
        tiptop_client, tiptop_stub, headers):
    _checkout(tiptop_client, make_product(stock=5))
    order = _order()
    body, signed = tiptop_stub.notification("pay", None, InvoiceId=order.public_id, Amount="8400.00")
    response = tiptop_client.post("/webhooks/tiptoppay/pay", data=body,
                                  headers={"Content-Type": signed["Content-Type"], **headers})
    assert response.status_code == 400
    assert _order().payment_status == "pending_payment" and db.session.scalar(select(ProcessedEvent.id)) is None


def test_a_validly_signed_notification_with_a_malformed_body_answers_400(tiptop_client, tiptop_stub):
    body, headers = tiptop_stub.notification("pay", None, Amount="lots", TransactionId=None)
    assert tiptop_client.post("/webhooks/tiptoppay/pay", data=body, headers=headers).status_code == 400
    assert tiptop_client.post("/webhooks/tiptoppay/nonsense", data=body, headers=headers).status_code == 404


def _check(stub, client, order, **changes):
    fields = {"InvoiceId": order.public_id, "Amount": f"{order.total_minor / 100:.2f}", "Currency": "KZT", **changes}
    status, answer = stub.send("check", deliver_to(client), None, **fields)
    assert status == 200
    return answer["code"]


def test_check_accepts_the_right_amount_and_refuses_a_wrong_one_or_currency(tiptop_client, tiptop_stub):
    _checkout(tiptop_client, make_product(stock=5))
    order = _order()
    assert _check(tiptop_stub, tiptop_client, order) == 0
    assert _check(tiptop_stub, tiptop_client, order, Amount="1.00") == 12
    assert _check(tiptop_stub, tiptop_client, order, Currency="RUB") == 12
    assert _check(tiptop_stub, tiptop_client, order, InvoiceId="no-such-order") == 10


def test_check_refuses_a_cancelled_order(tiptop_client, tiptop_stub):
    _checkout(tiptop_client, make_product(stock=5))
    order = _order()
    from shop.orders.cancelling import cancel_order

    cancel_order(db.session.get(Order, order.id), now=utcnow(), note="test")
    db.session.commit()
    assert _check(tiptop_stub, tiptop_client, order) == 13


def test_check_takes_lapsed_holds_again_while_the_units_are_there(tiptop_client, tiptop_stub):
    product = make_product(stock=1)
    _checkout(tiptop_client, product)
    order = _order()
    db.session.execute(update(Hold).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert _check(tiptop_stub, tiptop_client, order) == 0
    assert availability([product.id], utcnow())[product.id] == 0  # held again for the buyer paying now


def test_check_refuses_lapsed_holds_whose_units_are_gone(tiptop_app, tiptop_client, tiptop_stub):
    product = make_product(stock=1)
    _checkout(tiptop_client, product)
    order = _order()
    db.session.execute(update(Hold).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    other = english_client(tiptop_app)
    add(other, product)
    assert other.post("/checkout", data={**BUYER, "email": "other@example.kz", "payment_method": "dummy"}) \
        .status_code == 303  # someone else holds the last unit now
    assert _check(tiptop_stub, tiptop_client, order) == 20
    tiptop_stub.pay(order.public_id, deliver_to(tiptop_client))
    assert _order().payment_status == "pending_payment"  # the refused Check declined the payment


def test_a_late_pay_whose_units_are_gone_is_flagged_for_staff_and_never_oversells(tiptop_app, tiptop_client,
                                                                                   tiptop_stub):
    product = make_product(stock=1)
    _checkout(tiptop_client, product)
    order = _order()
    db.session.execute(update(Hold).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    other = english_client(tiptop_app)
    add(other, product)
    answer = other.post("/checkout", data={**BUYER, "email": "other@example.kz", "payment_method": "dummy"})
    other.post(path_of(answer), data={"outcome": "pay"})
    tiptop_stub.pay(order.public_id, deliver_to(tiptop_client), check=False)
    db.session.expire_all()
    flagged = db.session.get(Order, order.id)
    assert flagged.payment_status == "paid" and "Not enough stock" in flagged.needs_attention
    assert _on_hand(product) == 0
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == f"order-problem:{order.id}"))


def test_a_declined_card_is_recorded_and_the_buyer_may_try_again(tiptop_client, tiptop_stub):
    product = make_product(stock=5)
    _checkout(tiptop_client, product)
    order = _order()
    deliver = deliver_to(tiptop_client)
    tiptop_stub.pay(order.public_id, deliver, card=CARD_DECLINED)
    payment = db.session.scalar(select(Payment))
    assert _order().payment_status == "pending_payment" and payment.failed_attempts == 1 and payment.last_failure
    assert "was declined" in tiptop_client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    tiptop_stub.pay(order.public_id, deliver)
    assert _order().payment_status == "paid"


def test_when_tiptop_cannot_be_reached_the_buyer_is_told_and_the_cart_is_kept(tiptop_client, tiptop_stub):
    product = make_product(stock=5)
    tiptop_stub.down = True
    response = _checkout(tiptop_client, product)
    tiptop_stub.down = False
    assert response.status_code == 200
    assert "could not be reached" in response.get_data(as_text=True)
    assert _order().payment_status == "pending_payment"
    assert product.name_en in tiptop_client.get("/cart").get_data(as_text=True)


def test_the_return_page_asks_tiptop_when_pay_has_not_arrived(tiptop_client, tiptop_stub):
    product = make_product(stock=5)
    _checkout(tiptop_client, product)
    order = _order()
    tiptop_stub.pay(order.public_id, deliver_to(tiptop_client), order=[])  # paid; no notification yet
    response = tiptop_client.get(f"/checkout/success?order={order.public_id}&anything=paid")
    assert response.status_code == 303 and _order().payment_status == "paid"
    assert any(request[1] == "/payments/find" for request in tiptop_stub.requests)


def test_release_expired_asks_tiptop_then_cancels_the_link_of_an_order_nobody_paid(tiptop_app, tiptop_client,
                                                                                   tiptop_stub):
    paid_product, unpaid_product = make_product(stock=5), make_product(stock=5)
    _checkout(tiptop_client, paid_product)
    paid = _order()
    tiptop_stub.pay(paid.public_id, deliver_to(tiptop_client), order=[])
    second = english_client(tiptop_app)
    _checkout(second, unpaid_product, email="second@example.kz")
    unpaid = _order()
    db.session.execute(update(Hold).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    result = tiptop_app.test_cli_runner().invoke(args=["shop", "release-expired"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Order, paid.id).payment_status == "paid"
    assert db.session.get(Order, unpaid.id).payment_status == "cancelled"
    unpaid_link = db.session.scalar(select(Payment.reference).where(Payment.order_id == unpaid.id))
    assert tiptop_stub.links[unpaid_link]["Status"] == "Cancelled"


def test_checking_out_again_cancels_the_earlier_payment_link(tiptop_client, tiptop_stub):
    product = make_product(stock=5)
    _checkout(tiptop_client, product)
    first = db.session.scalar(select(Payment.reference))
    tiptop_client.post("/checkout", data={**BUYER, "payment_method": "tiptoppay"})
    assert tiptop_stub.links[first]["Status"] == "Cancelled"


def _paid_by_card(client, stub, product, quantity=2) -> Order:
    _checkout(client, product, quantity)
    order = _order()
    stub.pay(order.public_id, deliver_to(client))
    return _order()


def _refund(order, **request):
    from shop.orders.refunds import RefundRequest
    from shop.payments.providers import gateway_for
    from shop.payments.receipting import refund_with_receipt

    return refund_with_receipt(RefundRequest(order.id, request.pop("amount", None), "Damaged", {}, **request),
                               gateway_for("tiptoppay"), actor_id=None, now=utcnow())


def test_a_partial_refund_by_line_goes_through_tiptop_and_asks_for_a_return_receipt_of_that_line(
        tiptop_client, tiptop_stub):
    product = make_product(stock=5, price=790000)
    order = _paid_by_card(tiptop_client, tiptop_stub, product)
    refund = _refund(order, lines={order.lines[0].id: 1}, key="form-1")
    assert refund.amount_minor == 790000
    refunds = [t for t in tiptop_stub.transactions.values() if t.get("OperationType") == "Refund"]
    assert [t["Amount"] for t in refunds] == [7900]
    [returned] = [r for r in tiptop_stub.receipts if r["Type"] == "IncomeReturn"]
    assert [(item["label"], item["quantity"], item["amount"]) for item in returned["Items"]] == [
        (order.lines[0].name, 1, 7900)]
    requested = db.session.scalar(select(FiscalReceipt).where(FiscalReceipt.kind == "return"))
    assert requested.refund_id == refund.id and requested.status == "requested"
    tiptop_stub.flush(deliver_to(tiptop_client))  # the register issues it and says so
    db.session.expire_all()
    assert db.session.get(FiscalReceipt, requested.id).status == "issued"
    assert _order().payment_status == "partially_refunded"


def test_a_full_refund_returns_every_line_and_the_delivery_on_its_return_receipt(tiptop_client, tiptop_stub):
    product = make_product(stock=5, price=790000)
    order = _paid_by_card(tiptop_client, tiptop_stub, product)
    _refund(order, amount=order.total_minor, key="form-2")
    [returned] = [r for r in tiptop_stub.receipts if r["Type"] == "IncomeReturn"]
    amounts = [item["amount"] for item in returned["Items"]]
    assert sum(amounts) * 100 == order.total_minor and len(amounts) == 2
    assert _order().payment_status == "refunded"


def test_a_refund_sent_twice_refunds_and_asks_for_its_receipt_once(tiptop_client, tiptop_stub):
    order = _paid_by_card(tiptop_client, tiptop_stub, make_product(stock=5))
    first = _refund(order, lines={order.lines[0].id: 1}, key="same-form")
    again = _refund(order, lines={order.lines[0].id: 1}, key="same-form")
    assert first.id == again.id
    assert len([t for t in tiptop_stub.transactions.values() if t.get("OperationType") == "Refund"]) == 1
    assert len([r for r in tiptop_stub.receipts if r["Type"] == "IncomeReturn"]) == 1
    assert db.session.scalar(select(func.count(FiscalReceipt.id)).where(FiscalReceipt.kind == "return")) == 1


def test_a_refund_made_in_the_cabinet_is_recorded_once_by_its_notification(tiptop_client, tiptop_stub):
    order = _paid_by_card(tiptop_client, tiptop_stub, make_product(stock=5, price=500000))
    deliver = deliver_to(tiptop_client)
    refund = tiptop_stub.refund(int(db.session.scalar(select(Payment.payment_intent))), amount=1000, deliver=deliver)
    tiptop_stub.send("refund", deliver, refund)
    assert db.session.scalars(select(Refund.amount_minor)).all() == [100000]
    assert _order().payment_status == "partially_refunded" and order.payment_status == "partially_refunded"


def test_staff_see_payments_and_refunds_without_a_receipt(tiptop_app, tiptop_client, tiptop_stub):
    from tests.conftest import login
    from tests.factories import make_user

    product = make_product(stock=5)
    add(tiptop_client, product)
    answer = tiptop_client.post("/checkout", data={**BUYER, "payment_method": "dummy"})
    tiptop_client.post(path_of(answer), data={"outcome": "pay"})
    paid_by_card = _paid_by_card(english_client(tiptop_app), tiptop_stub, product, 1)
    tiptop_stub.fail_next("kkt/receipt", "register offline")
    _refund(paid_by_card, lines={paid_by_card.lines[0].id: 1}, key="offline")
    login(tiptop_client, make_user(role="staff"))
    page = tiptop_client.get("/admin/payments/receipts").get_data(as_text=True)
    assert str(paid_by_card.number) in page and "Ask for the return receipt" in page
    refund_id = db.session.scalar(select(Refund.id))
    assert tiptop_client.post(f"/admin/refunds/{refund_id}/receipt").status_code == 303
    assert db.session.scalar(select(FiscalReceipt.status).where(FiscalReceipt.refund_id == refund_id)) == "requested"


def test_the_checkout_offers_every_enabled_method_with_a_line_on_how_it_works(tiptop_client):
    add(tiptop_client, make_product(stock=5))
    page = tiptop_client.get("/checkout").get_data(as_text=True)
    for code in TIPTOP_ENV["PAYMENT_METHODS"].split(","):
        assert f'value="{code}"' in page
    assert "Bank card (TipTop Pay)" in page and "Kaspi.kz" in page and "Kaspi app" in page


def test_a_method_the_shop_does_not_offer_is_refused_with_a_message(tiptop_client):
    add(tiptop_client, make_product(stock=5))
    response = tiptop_client.post("/checkout", data={**BUYER, "payment_method": "stripe"})
    assert response.status_code == 400 and db.session.scalar(select(Order.id)) is None


def test_twenty_buyers_racing_for_the_last_units_through_tiptop_get_exactly_the_stock(tiptop_app, tiptop_stub):
    from tests.races import run_at_once
    product = make_product(stock=5)
    clients = [english_client(tiptop_app) for _ in range(20)]
    for client in clients:
        add(client, product)
    product_id = product.id
    db.session.remove()

    def buy(index):
        client = clients[index]
        response = client.post("/checkout", data={**BUYER, "email": f"racer{index}@example.kz",
                                                  "payment_method": "tiptoppay"})
        if response.status_code != 303:
            return response.status_code
        if path_of(response).endswith("/cart"):
            return "refused: back to the cart, naming the kit"
        public_id = db.session.scalar(select(Order.public_id).where(Order.email == f"racer{index}@example.kz"))
        tiptop_stub.pay(public_id, deliver_to(client))
        return 303

    results = run_at_once(tiptop_app, buy, 20)
    assert results.count(303) == 5
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Order.id)).where(Order.payment_status == "paid")) == 5
    assert db.session.get(Product, product_id).on_hand == 0


def test_a_refunds_confirmation_names_the_card_the_money_goes_back_to(tiptop_app, tiptop_client, tiptop_stub):
    order = _paid_by_card(tiptop_client, tiptop_stub, make_product(stock=5, price=790000))
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.status == "paid"))
    assert payment.card_last4 == DEFAULT_CARD[-4:]
    staff = english_client(tiptop_app)
    login(staff, make_user(role="staff"))
    line = order.lines[0].id
    page = staff.post(f"/admin/orders/{order.id}/refund", data={f"refund_{line}": "1", "reason": "Cracked"}).text
    assert f"Refund ₸7,900 to the card ending {DEFAULT_CARD[-4:]}." in page
    assert "tiptoppay" not in page.split("<main", 1)[1]
