"""The strict TipTop Pay stand-in (tests/tiptoppay_stub.py), exercised over HTTP with ``requests``."""
import base64
import hashlib
import hmac
import json
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote_plus

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tiptoppay_stub import NOTIFY_PATHS, TipTopStub, form_encode, sign  # noqa: E402

AUTH = ("pk_test_shop", "tt_secret")
RECEIPT = {"Items": [
    {"label": "Мёд, 1 кг", "price": 2000.00, "quantity": 2, "amount": 4000.00, "vat": 12, "method": 4, "object": 1},
    {"label": "Доставка", "price": 500.00, "quantity": 1.00, "amount": 500.00, "vat": None, "method": 4, "object": 4}],
    "taxationSystem": 0, "email": "buyer@farm.kz",
    "amounts": {"electronic": 4500.00, "advancePayment": 0, "credit": 0, "provision": 0}}


# ---------------------------------------------------------------- reference implementation (PROTOCOL.md §4.2)
def ref_sign(message: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def ref_verify(raw: bytes, headers: dict, secret: str) -> bool:
    ok = hmac.compare_digest(headers["Content-HMAC"], ref_sign(raw, secret))
    decoded = unquote_plus(raw.decode()).encode()
    return ok and hmac.compare_digest(headers["X-Content-HMAC"], ref_sign(decoded, secret))


def fields_of(body: bytes, headers: dict) -> dict:
    if headers["Content-Type"].startswith("application/json"):
        return json.loads(body)
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


# ---------------------------------------------------------------- fixtures
@pytest.fixture
def stub():
    with TipTopStub() as s:
        yield s


class Shop:
    """A fake ``deliver``: records notifications, answers {"code": 0} or what ``answers`` says per kind."""

    def __init__(self, answers=None):
        self.got, self.answers = [], answers or {}

    def __call__(self, path, body, headers):
        assert ref_verify(body, headers, "tt_secret")
        kind = path.rsplit("/", 1)[1]
        self.got.append((kind, fields_of(body, headers)))
        return self.answers.get(kind, (200, {"code": 0}))

    @property
    def kinds(self):
        return [k for k, _ in self.got]


def call(stub, path, body=None, auth=AUTH, request_id=None, **kw):
    headers = {"X-Request-ID": request_id} if request_id else {}
    r = requests.post(stub.base_url + path, json=body, auth=auth, headers=headers, timeout=5, **kw)
    return r.status_code, r.json()


def create_link(stub, **overrides):
    body = {"Amount": 4500.00, "Currency": "KZT", "Description": "Заказ A-1042", "Email": "buyer@farm.kz",
            "InvoiceId": "A-1042", "AccountId": "cust-77", "RequireConfirmation": False, "SendEmail": False,
            "CultureName": "ru-RU", "SuccessRedirectUrl": "https://shop.test/pay/return/A-1042?r=ok",
            "FailRedirectUrl": "https://shop.test/pay/return/A-1042?r=fail",
            "JsonData": {"order": "A-1042", "cloudPayments": {"customerReceipt": RECEIPT}}}
    body.update(overrides)
    status, answer = call(stub, "/orders/create", {k: v for k, v in body.items() if v is not None})
    assert status == 200 and answer["Success"] is True, answer
    return answer["Model"]


# ---------------------------------------------------------------- the API
def test_smoke_and_auth(stub):
    assert call(stub, "/test")[1]["Success"] is True
    for auth in (None, ("pk_test_shop", "wrong"), ("pk_other", "tt_secret")):
        status, answer = call(stub, "/test", auth=auth)
        assert status == 401 and answer["Success"] is False
    assert [r["status"] for r in stub.rejections] == [401, 401, 401]


def test_orders_create(stub):
    model = create_link(stub)
    assert model["Url"] == f"{stub.base_url}/d/{model['Id']}"
    assert (model["Amount"], model["Currency"], model["Status"]) == (4500.0, "KZT", "Created")
    assert stub.links[model["Id"]]["InvoiceId"] == "A-1042"
    page = requests.get(model["Url"], timeout=5)
    assert page.status_code == 200 and '<form method="post">' in page.text and "4500.00 KZT" in page.text
    method, path, body = stub.requests[0]
    assert (method, path, body["InvoiceId"]) == ("POST", "/orders/create", "A-1042")
    assert stub.requests[0].headers["Authorization"].startswith("Basic ")
    assert stub.rejections == []


BAD_RECEIPT_LINE = dict(RECEIPT["Items"][0], amount=4500.00)  # more than price x quantity


@pytest.mark.parametrize("overrides, message", [
    ({"Amount": "4500.00"}, "Amount must be"),
    ({"Amount": 4500.001}, "Amount must be"),
    ({"Amount": 0.001}, "Amount must be"),
    ({"Amount": 0}, "Amount must be"),
    ({"Currency": "RUB"}, "Currency must be"),
    ({"Currency": None}, "Currency is required"),
    ({"Description": None}, "Description is required"),
    ({"SuccessUrl": "https://shop.test/ok"}, "Unknown field 'SuccessUrl'"),
    ({"RequireConfirmation": "false"}, "RequireConfirmation must be a boolean"),
    ({"InvoiceId": 1042}, "InvoiceId must be"),
    ({"JsonData": {"cloudPayments": {"customerReceipt": dict(RECEIPT, Items=[BAD_RECEIPT_LINE])}}}, "exceeds"),
    ({"Amount": 4600.00}, "the lines sum to 4500"),
    ({"JsonData": {"cloudPayments": {"customerReceipt": dict(RECEIPT, taxationSystem=9)}}}, "taxationSystem"),
    ({"JsonData": {"cloudPayments": {"customerReceipt": dict(
        RECEIPT, Items=[dict(RECEIPT["Items"][0], vat=20), RECEIPT["Items"][1]])}}}, "vat"),
    ({"JsonData": {"cloudPayments": {"customerReceipt": dict(
        RECEIPT, Items=[dict(RECEIPT["Items"][0], price="2000.00"), RECEIPT["Items"][1]])}}}, "price"),
    ({"JsonData": {"cloudPayments": {"customerReceipt": dict(RECEIPT, amounts={"electronic": 4000})}}}, "amounts"),
    ({"JsonData": {"cloudPayments": {"customerReceipt": dict(RECEIPT, Items=[])}}}, "non-empty"),
])
def test_malformed_requests_are_refused_and_recorded(stub, overrides, message):
    body = {"Amount": 4500.00, "Currency": "KZT", "Description": "Заказ", "InvoiceId": "A-1",
            "JsonData": {"cloudPayments": {"customerReceipt": RECEIPT}}}
    body.update(overrides)
    status, answer = call(stub, "/orders/create", {k: v for k, v in body.items() if v is not None})
    assert status == 200 and answer["Success"] is False and message in answer["Message"]
    assert len(stub.rejections) == 1 and message in stub.rejections[0]["message"]
    assert stub.links == {}


def test_transport_errors_are_rejections(stub):
    r = requests.post(stub.base_url + "/orders/create", data={"Amount": "1.00"}, auth=AUTH, timeout=5)
    assert r.json()["Success"] is False and "JSON" in r.json()["Message"]
    r = requests.post(stub.base_url + "/payments/find", data=b"{nope", auth=AUTH, timeout=5,
                      headers={"Content-Type": "application/json"})
    assert r.json()["Success"] is False
    assert requests.get(stub.base_url + "/payments/find", auth=AUTH, timeout=5).status_code == 405
    assert call(stub, "/payments/nothing", {})[0] == 404
    assert len(stub.rejections) == 4


def test_idempotency_by_request_id(stub):
    body = {"Amount": 10, "Currency": "KZT", "Description": "x", "InvoiceId": "A-9"}
    first = call(stub, "/orders/create", body, request_id="create-A-9")
    again = call(stub, "/orders/create", body, request_id="create-A-9")
    assert first == again and len(stub.links) == 1
    other = call(stub, "/orders/create", body, request_id="create-A-9-b")
    assert other[1]["Model"]["Id"] != first[1]["Model"]["Id"] and stub.rejections == []

    reused = call(stub, "/orders/create", dict(body, Amount=20), request_id="create-A-9")
    assert reused == first and len(stub.links) == 2
    assert "reused" in stub.rejections[0]["message"]


def test_fail_next_and_down(stub):
    stub.fail_next("payments/find", message="Service temporarily unavailable")
    assert call(stub, "/payments/find", {"InvoiceId": "A-1"}) == (
        200, {"Success": False, "Message": "Service temporarily unavailable"})
    assert call(stub, "/payments/find", {"InvoiceId": "A-1"})[1]["Message"] == "Not found"

    stub.down = True
    with pytest.raises(requests.ConnectionError):
        call(stub, "/test")
    stub.down = 503
    r = requests.post(stub.base_url + "/test", auth=AUTH, timeout=5)
    assert r.status_code == 503 and r.headers["Content-Type"].startswith("text/html")
    stub.down = False
    assert call(stub, "/test")[1]["Success"] is True
    assert stub.rejections == []


def test_cancel(stub):
    link = create_link(stub)
    assert call(stub, "/orders/cancel", {"Id": link["Id"]}) == (200, {"Success": True, "Message": None})
    assert stub.links[link["Id"]]["Status"] == "Cancelled"
    with pytest.raises(ValueError, match="Cancelled"):
        stub.pay(link["Id"], Shop())
    assert call(stub, "/orders/cancel", {"Id": "nope"})[1] == {"Success": False, "Message": "Not found"}
    assert requests.get(link["Url"], timeout=5).status_code == 409
    assert stub.rejections == []


# ---------------------------------------------------------------- paying
def test_pay_delivers_check_pay_receipt(stub):
    link = create_link(stub)
    shop = Shop()
    tx = stub.pay("A-1042", shop)

    assert shop.kinds == ["check", "pay", "receipt"]
    check, pay, receipt = (f for _, f in shop.got)
    assert check["Status"] == "Completed" and check["InvoiceId"] == "A-1042" and check["Amount"] == "4500.00"
    assert pay["TransactionId"] == str(tx["TransactionId"]) and pay["GatewayName"] == "Test"
    assert pay["AccountId"] == "cust-77" and pay["TestMode"] == "1" and pay["OperationType"] == "Payment"
    assert json.loads(pay["Data"])["order"] == "A-1042"
    assert pay["CardFirstSix"] == "424242" and pay["CardLastFour"] == "4242"
    assert receipt["Type"] == "Income" and receipt["Amount"] == "4500.00"
    assert json.loads(receipt["Receipt"])["Items"][0]["label"] == "Мёд, 1 кг"
    assert [d.path for d in stub.deliveries] == [NOTIFY_PATHS[k] for k in ("check", "pay", "receipt")]
    assert all(d.accepted for d in stub.deliveries)

    assert tx["Status"] == "Completed" and stub.links[link["Id"]]["Status"] == "Paid"
    found = call(stub, "/payments/find", {"InvoiceId": "A-1042"})[1]["Model"]
    assert (found["TransactionId"], found["Status"], found["Amount"]) == (tx["TransactionId"], "Completed", 4500.0)
    assert call(stub, "/payments/get", {"TransactionId": tx["TransactionId"]})[1]["Model"]["StatusCode"] == 3
    assert stub.receipts[0]["TransactionId"] == tx["TransactionId"] and stub.rejections == []


def test_check_refusal_stops_the_payment(stub):
    link = create_link(stub)
    shop = Shop({"check": (200, {"code": 13})})
    tx = stub.pay(link["Id"], shop)
    assert shop.kinds == ["check"] and tx["Status"] == "Declined"
    assert stub.links[link["Id"]]["Status"] == "Created" and stub.receipts == []


def test_declined_card_sends_fail_then_a_retry_can_pay(stub):
    link = create_link(stub, JsonData=None)
    shop = Shop()
    declined = stub.pay(link["Id"], shop, card="4000 0566 5566 5556")
    assert shop.kinds == ["check", "fail"] and declined["Status"] == "Declined"
    fail = shop.got[1][1]
    assert (fail["ReasonCode"], fail["Reason"]) == ("5051", "InsufficientFunds") and "Status" not in fail

    paid = stub.pay(link["Id"], shop, card="5555555555554444")
    assert shop.kinds[2:] == ["check", "pay"] and paid["CardType"] == "MasterCard"  # no receipt lines, no Receipt
    assert call(stub, "/payments/find", {"InvoiceId": "A-1042"})[1]["Model"]["TransactionId"] == paid["TransactionId"]


def test_delivery_options(stub):
    shop = Shop()
    stub.pay(create_link(stub, InvoiceId="A-1")["Id"], shop, check=False, pay_twice=True)
    assert shop.kinds == ["pay", "pay", "receipt"]
    assert shop.got[0] == shop.got[1]

    shop = Shop()
    tx = stub.pay(create_link(stub, InvoiceId="A-2")["Id"], shop, order=["pay", "check"])
    assert shop.kinds == ["pay", "check"]

    shop = Shop()
    tx = stub.pay(create_link(stub, InvoiceId="A-3")["Id"], shop, order=[])  # Pay "lost"
    refund = stub.refund(tx["TransactionId"], 1000, deliver=shop)  # Refund before Pay
    stub.send("pay", shop, tx)
    assert shop.kinds == ["refund", "pay"]
    assert shop.got[0][1]["PaymentTransactionId"] == str(tx["TransactionId"])
    assert shop.got[0][1]["TransactionId"] == str(refund["TransactionId"])


def test_hmac_matches_the_reference(stub):
    body = (b"TransactionId=1001&Amount=4500.00&Currency=KZT&InvoiceId=A-1042&Email=buyer%40farm.kz"
            b"&TestMode=1&Status=Completed")
    assert sign(body, "test_secret") == "jZc1DP4j0JrMB73yJILYnQ6GmNqkNFIIlVEmrVruZMk="
    fields = dict(parse_qsl(body.decode()))
    assert form_encode(fields) == body

    for kind in ("check", "pay", "fail", "refund", "cancel", "receipt"):
        body, headers = stub.notification(kind)
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert ref_verify(body, headers, "tt_secret")
        assert not ref_verify(body + b"&x=1", headers, "tt_secret")

    body, headers = stub.notification("pay", Amount=Decimal("10.5"), DateTime="2025-05-01 08:15:02", Token=None)
    assert b"Amount=10.50" in body and b"DateTime=2025-05-01+08%3a15%3a02" in body and b"Token=" not in body
    body, headers = stub.notification("pay", fmt="json")
    data = json.loads(body)
    assert headers["Content-Type"] == "application/json" and ref_verify(body, headers, "tt_secret")
    assert data["Amount"] == 4500.0 and data["TestMode"] is True and data["Data"] == {"order": "A-1042"}


# ---------------------------------------------------------------- refunds and receipts
def test_refunds_never_exceed_the_payment(stub):
    tx = stub.pay(create_link(stub)["Id"], Shop())
    tid = tx["TransactionId"]
    first = call(stub, "/payments/refund", {"TransactionId": tid, "Amount": 1000.00})[1]
    assert first["Success"] is True and first["Model"]["TransactionId"] in stub.transactions
    too_much = call(stub, "/payments/refund", {"TransactionId": tid, "Amount": 3500.01})[1]
    assert too_much["Success"] is False and "exceeds" in too_much["Message"]
    assert call(stub, "/payments/refund", {"TransactionId": tid, "Amount": 3500.00})[1]["Success"] is True
    assert call(stub, "/payments/refund", {"TransactionId": tid, "Amount": 0.01})[1]["Success"] is False
    assert call(stub, "/payments/refund", {"TransactionId": 1, "Amount": 1})[1]["Message"].endswith("not found")
    assert stub.transactions[tid]["Refunded"] is True and stub.rejections == []

    shop = Shop()
    stub.flush(shop)
    assert shop.kinds == ["refund", "refund"] and stub.outbox == []
    assert [f["Amount"] for _, f in shop.got] == ["1000.00", "3500.00"]
    assert {f["PaymentTransactionId"] for _, f in shop.got} == {str(tid)}
    assert all(f["OperationType"] == "Refund" for _, f in shop.got)


def test_refund_with_request_id_happens_once(stub):
    tid = stub.pay(create_link(stub)["Id"], Shop())["TransactionId"]
    body = {"TransactionId": tid, "Amount": 4500.00}
    first = call(stub, "/payments/refund", body, request_id="refund-1")
    assert call(stub, "/payments/refund", body, request_id="refund-1") == first
    assert len([t for t in stub.transactions.values() if t["OperationType"] == "Refund"]) == 1
    assert len(stub.outbox) == 1 and stub.rejections == []


def test_return_receipt(stub):
    tx = stub.pay(create_link(stub)["Id"], Shop())
    body = {"Inn": "123456789012", "Type": "IncomeReturn", "InvoiceId": "A-1042", "AccountId": "cust-77",
            "CustomerReceipt": {"Items": [{"Label": "Доставка", "Price": 500.00, "Quantity": 1, "Amount": 500.00,
                                           "Vat": None, "Method": 4, "Object": 4}],
                                "TaxationSystem": 0, "Email": "buyer@farm.kz", "Amounts": {"Electronic": 500.00}}}
    assert call(stub, "/kkt/receipt", body)[1]["Success"] is False  # X-Request-ID is required
    assert len(stub.rejections) == 1
    status, answer = call(stub, "/kkt/receipt", body, request_id="return-A-1042-1")
    assert answer["Success"] is True and answer["Message"] == "Queued"
    assert call(stub, "/kkt/receipt", body, request_id="return-A-1042-1")[1] == answer
    returns = [r for r in stub.receipts if r["Type"] == "IncomeReturn"]
    assert len(returns) == 1 and returns[0]["Id"] == answer["Model"]["Id"] and returns[0]["Amount"] == 500
    assert call(stub, "/kkt/receipt/status/get", {"Id": returns[0]["Id"]})[1]["Model"] == "Processed"

    shop = Shop()
    stub.deliver = shop  # from now on, notifications follow the API answer at once
    call(stub, "/payments/refund", {"TransactionId": tx["TransactionId"], "Amount": 500.00})
    stub.wait()
    assert shop.kinds == ["receipt", "refund"]  # the queued Receipt, then the new Refund
    assert shop.got[0][1]["Type"] == "IncomeReturn" and shop.got[0][1]["Amount"] == "500.00"
    assert len(stub.rejections) == 1


# ---------------------------------------------------------------- the hosted page, over real HTTP
class _ShopHandler(BaseHTTPRequestHandler):
    got: list

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.got.append((self.path, body, dict(self.headers)))
        data = b'{"code":0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def live_shop():
    handler = type("H", (_ShopHandler,), {"got": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.got
    server.shutdown()
    server.server_close()


def test_hosted_page_pays_and_redirects(stub, live_shop):
    base, got = live_shop
    stub.notify_base = base
    link = create_link(stub)
    r = requests.post(link["Url"], data={"card": "4242 4242 4242 4242", "exp": "12/30", "cvv": "123"},
                      allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "https://shop.test/pay/return/A-1042?r=ok"
    assert [p for p, _, _ in got] == [NOTIFY_PATHS[k] for k in ("check", "pay", "receipt")]
    assert all(ref_verify(body, headers, "tt_secret") for _, body, headers in got)

    declined = create_link(stub, InvoiceId="A-7")
    r = requests.post(declined["Url"], data={"card": "4012888888881881"}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"].endswith("r=fail")
    assert got[-1][0] == NOTIFY_PATHS["fail"]
    r = requests.post(declined["Url"], data={"card": "1234"}, allow_redirects=False, timeout=10)
    assert r.status_code == 200 and "test cards" in r.text
    assert stub.rejections == []


# ---------------------------------------------------------------- plugging in a Flask test client
def test_flask_test_client_as_deliver(stub):
    """The shop verifies over ``get_data()`` before parsing the form, and may call the API while handling."""
    from flask import Flask, request

    app, seen = Flask("shop"), []

    @app.post("/webhooks/tiptoppay/<kind>")
    def webhook(kind):
        raw = request.get_data(cache=True)
        if not hmac.compare_digest(request.headers.get("Content-HMAC", ""), ref_sign(raw, "tt_secret")):
            return {"error": "bad signature"}, 400
        seen.append((kind, request.form["InvoiceId"]))
        if kind == "pay":  # a callback to TipTop while the notification is being delivered
            assert call(stub, "/payments/find", {"InvoiceId": request.form["InvoiceId"]})[1]["Success"]
        return {"code": 0}

    client = app.test_client()

    def deliver(path, body, headers):
        r = client.post(path, data=body, headers=headers)
        return r.status_code, r.get_json(silent=True)

    tx = stub.pay(create_link(stub)["Id"], deliver)
    assert tx["Status"] == "Completed" and seen == [("check", "A-1042"), ("pay", "A-1042"), ("receipt", "A-1042")]
    body, headers = stub.notification("pay", tx)
    assert deliver("/webhooks/tiptoppay/pay", body + b"&Amount=1.00", headers)[0] == 400
    assert stub.rejections == []
