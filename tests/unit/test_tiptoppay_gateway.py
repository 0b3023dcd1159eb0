"""The TipTop Pay adapter against the strict local stand-in (tests/tiptoppay_stub.py)."""
import json
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shop.errors import PaymentFailed
from shop.models import Order, OrderLine
from shop.payments.gateway import CheckoutStart
from shop.payments.tiptoppay_gateway import (
    DELIVERY_LABEL,
    ReceiptLine,
    TipTopGateway,
    dumps,
    receipt_lines,
    spread,
    to_minor,
    to_tenge,
)
from tests.conftest import make_app
from tests.tiptoppay_stub import TipTopStub

PUBLIC_ID, SECRET, INN = "pk_test_shop", "tt_secret", "123456789012"
EXPIRES = datetime(2030, 1, 1, tzinfo=UTC)  # TipTop links take no expiry; the adapter ignores it


def accept_all(path, body, headers):
    """A shop that accepts every notification."""
    return 200, {"code": 0}


@pytest.fixture
def stub():
    with TipTopStub(PUBLIC_ID, SECRET, inn=INN) as s:
        yield s
    assert s.rejections == [], "the adapter sent TipTop Pay a request it would refuse"


@pytest.fixture
def shop_app(database_url):
    app = make_app(database_url)  # SHOP_BASE_URL=http://shop.test, for the return URLs
    with app.app_context():
        yield app


@pytest.fixture
def gateway(stub, shop_app):
    return TipTopGateway(PUBLIC_ID, SECRET, api_base=stub.base_url, inn=INN)


def make_order(lines=(("Мёд, 1 кг", 4000_00, 1), ("Яйца, 10 шт", 899_99, 2)), delivery=500_00,
               public_id="A-1042", **fields) -> Order:
    """An order built in memory, as placing it would freeze it (no database session)."""
    order_lines = [OrderLine(id=n, name=name, unit_price_minor=price, quantity=quantity)
                   for n, (name, price, quantity) in enumerate(lines, start=1)]
    subtotal = sum(line.total_minor for line in order_lines)
    values = dict(public_id=public_id, email="buyer@farm.kz", locale="ru", subtotal_minor=subtotal,
                  delivery_fee_minor=delivery, total_minor=subtotal + delivery)
    order = Order(**{**values, **fields})
    order.lines = order_lines
    return order


def sent(stub, path):
    return [r for r in stub.requests if r.path == path]


# ---------------------------------------------------------------- money
def test_tiyn_become_exact_tenge_and_back():
    assert to_tenge(1999) == Decimal("19.99") and dumps({"Amount": to_tenge(1999)}) == '{"Amount":19.99}'
    assert dumps([to_tenge(450000), to_tenge(1)]) == "[4500.00,0.01]"
    big = 2**62 + 7  # far beyond what a float holds exactly
    assert to_minor(dumps(to_tenge(big))) == big and to_minor("19.99") == 1999 and to_minor(Decimal("4500.0")) == 450000
    for bad in ("19.999", Decimal("0.001"), "abc", True, 19.99):
        with pytest.raises(ValueError):
            to_minor(bad)


# ---------------------------------------------------------------- receipt lines
def test_receipt_lines_are_the_order_lines_and_delivery_summing_to_the_total():
    order = make_order()
    lines = receipt_lines(order, vat_rate=12)
    assert lines == [ReceiptLine("Мёд, 1 кг", 4000_00, 1, 4000_00, 12),
                     ReceiptLine("Яйца, 10 шт", 899_99, 2, 1799_98, 12),
                     ReceiptLine(DELIVERY_LABEL, 500_00, 1, 500_00, 12, is_service=True)]
    assert sum(line.amount_minor for line in lines) == order.total_minor


def test_line_discounts_lower_the_line_amount_not_its_price():
    order = make_order(total_minor=4000_00 + 1799_98 + 500_00 - 333)
    lines = receipt_lines(order, vat_rate=None, discounts_minor={2: 333})
    assert (lines[1].unit_price_minor, lines[1].amount_minor) == (899_99, 1799_98 - 333)
    assert sum(line.amount_minor for line in lines) == order.total_minor


def test_an_order_wide_discount_is_spread_over_goods_to_the_tiyn():
    order = make_order(lines=(("a", 1_00, 1), ("b", 1_00, 1), ("c", 1_00, 1)), delivery=500_00,
                       total_minor=3_00 - 100 + 500_00)
    lines = receipt_lines(order, vat_rate=None)
    assert [line.amount_minor for line in lines] == [66, 67, 67, 500_00]
    assert sum(line.amount_minor for line in lines) == order.total_minor
    assert spread(10, [3, 3, 4]) == [3, 3, 4] and sum(spread(7, [5, 5, 5])) == 7


def test_receipt_lines_refuse_a_total_above_the_lines_and_bad_discounts():
    with pytest.raises(ValueError):
        receipt_lines(make_order(total_minor=10**9), vat_rate=None)
    with pytest.raises(ValueError):
        receipt_lines(make_order(), vat_rate=None, discounts_minor={1: 4000_01})
    with pytest.raises(ValueError):
        ReceiptLine("x", 100, 1, 101)


# ---------------------------------------------------------------- create_checkout
def test_create_checkout_opens_a_link_with_the_receipt_of_the_order(gateway, stub):
    order = make_order()
    start = gateway.create_checkout(order, expires_at=EXPIRES)
    link = stub.links[start.reference]
    assert isinstance(start, CheckoutStart) and start.url == link["Url"]
    (request,) = sent(stub, "/orders/create")
    body = request.json
    assert (body["Amount"], body["Currency"], body["InvoiceId"]) == (Decimal("6299.98"), "KZT", "A-1042")
    assert body["SuccessRedirectUrl"] == "http://shop.test/checkout/success?order=A-1042"
    assert body["FailRedirectUrl"] == "http://shop.test/checkout/cancelled?order=A-1042"
    assert body["Email"] == body["AccountId"] == "buyer@farm.kz" and body["SendEmail"] is False
    items = body["JsonData"]["cloudPayments"]["customerReceipt"]["Items"]
    assert [(i["label"], i["price"], i["quantity"], i["amount"], i["vat"]) for i in items] == [
        ("Мёд, 1 кг", Decimal("4000.00"), 1, Decimal("4000.00"), None),
        ("Яйца, 10 шт", Decimal("899.99"), 2, Decimal("1799.98"), None),
        (DELIVERY_LABEL, Decimal("500.00"), 1, Decimal("500.00"), None)]
    assert sum(i["amount"] for i in items) == body["Amount"]
    assert request.headers["X-Request-ID"] == "orders-create-A-1042"
    assert request.headers["Authorization"].startswith("Basic ")


def test_the_configured_vat_rate_is_on_every_line_and_long_names_are_cut(stub, shop_app):
    gateway = TipTopGateway(PUBLIC_ID, SECRET, api_base=stub.base_url, vat_rate=12)
    gateway.create_checkout(make_order(lines=(("Мёд " * 100, 1_00, 3),)), expires_at=EXPIRES)
    items = sent(stub, "/orders/create")[0].json["JsonData"]["cloudPayments"]["customerReceipt"]["Items"]
    assert [i["vat"] for i in items] == [12, 12] and len(items[0]["label"]) == 128
    with pytest.raises(ValueError):
        TipTopGateway(PUBLIC_ID, SECRET, vat_rate=20)


def test_the_same_order_twice_opens_one_link(gateway, stub):
    first = gateway.create_checkout(make_order(), expires_at=EXPIRES)
    again = gateway.create_checkout(make_order(), expires_at=EXPIRES)
    assert first == again and len(stub.links) == 1


def test_a_paid_link_is_paid_with_its_receipt(gateway, stub):
    start = gateway.create_checkout(make_order(), expires_at=EXPIRES)
    stub.pay(start.reference, accept_all)
    assert stub.links[start.reference]["Status"] == "Paid"
    assert stub.receipts[0]["Type"] == "Income" and stub.receipts[0]["Amount"] == Decimal("6299.98")


# ---------------------------------------------------------------- retrieve
def test_retrieve_before_payment_is_not_paid_and_after_it_is(gateway, stub):
    gateway.create_checkout(make_order(), expires_at=EXPIRES)
    before = gateway.retrieve("A-1042")
    assert (before.is_paid, before.is_expired, before.payment_intent, before.amount_minor) == (False, False, "", 0)
    tx = stub.pay("A-1042", accept_all)
    after = gateway.retrieve("A-1042")
    assert (after.is_paid, after.order_public_id, after.amount_minor) == (True, "A-1042", 6299_98)
    assert after.payment_intent == str(tx["TransactionId"])
    assert "X-Request-ID" not in sent(stub, "/payments/find")[-1].headers  # a read must never be answered from cache


def test_a_declined_attempt_is_not_paid(gateway, stub):
    gateway.create_checkout(make_order(), expires_at=EXPIRES)
    stub.pay("A-1042", accept_all, card="4000056655665556")
    state = gateway.retrieve("A-1042")
    assert state.is_paid is False and state.payment_intent  # the declined attempt is named, not paid


# ---------------------------------------------------------------- expire
def test_expire_cancels_the_link_and_a_paid_or_cancelled_one_is_no_error(gateway, stub):
    open_link = gateway.create_checkout(make_order(public_id="A-1"), expires_at=EXPIRES)
    gateway.expire(open_link.reference)
    gateway.expire(open_link.reference)
    assert stub.links[open_link.reference]["Status"] == "Cancelled"
    paid = gateway.create_checkout(make_order(public_id="A-2"), expires_at=EXPIRES)
    stub.pay(paid.reference, accept_all)
    gateway.expire(paid.reference)
    assert stub.links[paid.reference]["Status"] == "Paid"
    assert all(r.headers.get("X-Request-ID") for r in sent(stub, "/orders/cancel"))


# ---------------------------------------------------------------- refund
def test_partial_refunds_then_one_beyond_what_remains_fails(gateway, stub):
    gateway.create_checkout(make_order(), expires_at=EXPIRES)
    payment = gateway.retrieve(stub.pay("A-1042", accept_all)["InvoiceId"]).payment_intent
    first = gateway.refund(payment, 1000_00, idempotency_key="refund-A-1042-0-100000")
    assert gateway.refund(payment, 1000_00, idempotency_key="refund-A-1042-0-100000") == first  # a retry
    second = gateway.refund(payment, 299_98, idempotency_key="refund-A-1042-100000-29998")
    assert first != second and stub.transactions[int(second)]["Amount"] == Decimal("299.98")
    with pytest.raises(PaymentFailed):
        gateway.refund(payment, 5000_01, idempotency_key="refund-A-1042-129998-500001")
    assert sum(t["Amount"] for t in stub.transactions.values() if t["OperationType"] == "Refund") == Decimal("1299.98")


def test_refund_of_something_that_is_not_a_transaction_id_asks_nobody(gateway, stub):
    with pytest.raises(PaymentFailed):
        gateway.refund("f2K8LV6reGE9WBFn", 100, idempotency_key="k")
    assert stub.requests == []


# ---------------------------------------------------------------- return receipt
def test_return_receipt_has_exactly_the_refunded_lines(gateway, stub):
    lines = [ReceiptLine("Яйца, 10 шт", 899_99, 1, 899_99, 12), ReceiptLine("Мёд, 1 кг", 4000_00, 1, 3999_99, 12)]
    receipt_id = gateway.return_receipt(lines, email="buyer@farm.kz", idempotency_key="return-A-1042-1",
                                        invoice_id="A-1042")
    (receipt,) = stub.receipts
    assert receipt["Id"] == receipt_id and receipt["Type"] == "IncomeReturn" and receipt["InvoiceId"] == "A-1042"
    assert [(i["label"], i["price"], i["quantity"], i["amount"], i["vat"]) for i in receipt["Items"]] == [
        ("Яйца, 10 шт", Decimal("899.99"), 1, Decimal("899.99"), 12),
        ("Мёд, 1 кг", Decimal("4000.00"), 1, Decimal("3999.99"), 12)]
    assert receipt["Amount"] == Decimal("4899.98")
    assert sent(stub, "/kkt/receipt")[0].headers["X-Request-ID"] == "return-A-1042-1"


def test_return_receipt_needs_the_sellers_inn(stub, shop_app):
    gateway = TipTopGateway(PUBLIC_ID, SECRET, api_base=stub.base_url)
    with pytest.raises(PaymentFailed):
        gateway.return_receipt([ReceiptLine("x", 100, 1, 100)], email="buyer@farm.kz", idempotency_key="k")
    assert stub.requests == []


# ---------------------------------------------------------------- failures
def calls(gateway):
    return [lambda: gateway.create_checkout(make_order(), expires_at=EXPIRES), lambda: gateway.retrieve("A-1042"),
            lambda: gateway.expire("f2K8LV6reGE9WBFn"), lambda: gateway.refund("123", 100, idempotency_key="k"),
            lambda: gateway.return_receipt([ReceiptLine("x", 100, 1, 100)], email="buyer@farm.kz",
                                           idempotency_key="k")]


@pytest.mark.parametrize("down", [True, 503])
def test_tiptop_unreachable_or_failing_is_payment_failed_and_logged_without_secrets(gateway, stub, shop_logs, down):
    stub.down = down
    for call in calls(gateway):
        with pytest.raises(PaymentFailed):
            call()
    assert len([r for r in shop_logs.records if r.name == "shop.tiptoppay" and r.levelname == "WARNING"]) == 5
    assert SECRET not in shop_logs.text and "buyer@farm.kz" not in shop_logs.text


def test_success_false_is_payment_failed(gateway, stub):
    stub.fail_next("/orders/create", "Temporary error")
    with pytest.raises(PaymentFailed):
        gateway.create_checkout(make_order(), expires_at=EXPIRES)
    stub.fail_next("/payments/find", "Temporary error")
    with pytest.raises(PaymentFailed):
        gateway.retrieve("A-1042")


def test_wrong_credentials_are_payment_failed(stub, shop_app):
    gateway = TipTopGateway(PUBLIC_ID, "wrong", api_base=stub.base_url)
    with pytest.raises(PaymentFailed):
        gateway.retrieve("A-1042")
    stub.rejections.clear()  # the 401 was provoked on purpose


class _Odd(BaseHTTPRequestHandler):
    """Answers 200 with something that is not TipTop's envelope, or sleeps past the client's timeout."""

    replies = {"/orders/create": b"<html>ok</html>", "/payments/find": b'{"Success": true, "Model": {"Amount": 1}}',
               "/payments/refund": b'{"Success": true, "Message": null}', "/orders/cancel": b"[]"}

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/kkt/receipt":
            time.sleep(1)
        body = self.replies.get(self.path, b"{}")
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up waiting, as it should
            pass

    def log_message(self, *args):
        pass


def test_malformed_answers_and_timeouts_are_payment_failed(shop_app):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        gateway = TipTopGateway(PUBLIC_ID, SECRET, api_base=f"http://127.0.0.1:{server.server_address[1]}",
                                timeout=0.3, inn=INN)
        for call in calls(gateway):
            with pytest.raises(PaymentFailed):
                call()
    finally:
        server.shutdown()
        server.server_close()


def test_request_bodies_are_json_with_exact_numbers(gateway, stub):
    gateway.create_checkout(make_order(lines=(("Сыр", 1999, 1),), delivery=0), expires_at=EXPIRES)
    raw = json.loads(json.dumps(sent(stub, "/orders/create")[0].json, default=str))
    assert raw["Amount"] == "19.99" and raw["JsonData"]["cloudPayments"]["customerReceipt"]["amounts"] == {
        "electronic": "19.99"}
