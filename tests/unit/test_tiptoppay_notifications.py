"""Verifying and reading TipTop Pay notifications, as the stand-in (and PROTOCOL.md) sends them."""
import base64
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
import requests

from shop.payments.tiptoppay_notifications import (
    CODE_EXPIRED,
    CODE_NOT_ACCEPTED,
    CODE_OK,
    CODE_WRONG_ACCOUNT,
    CODE_WRONG_AMOUNT,
    CODE_WRONG_INVOICE,
    MalformedNotification,
    Notification,
    Receipt,
    answer,
    parse,
    verify,
)
from tests.tiptoppay_stub import TipTopStub, form_encode

SECRET = "tt_secret"
FORM = "application/x-www-form-urlencoded"
# PROTOCOL.md §4.2's own test vector.
VECTOR_BODY = (b"TransactionId=1001&Amount=4500.00&Currency=KZT&InvoiceId=A-1042&Email=buyer%40farm.kz"
               b"&TestMode=1&Status=Completed")
VECTOR_HMAC = "jZc1DP4j0JrMB73yJILYnQ6GmNqkNFIIlVEmrVruZMk="
VECTOR_X_HMAC = "WwxgSoADLvSQ+MtaOnbS5BpUPGcTPPr0Iux0KqSKxfs="
RECEIPT_ITEMS = [{"label": "Мёд, 1 кг", "price": 4500.00, "quantity": 1, "amount": 4500.00, "vat": None}]


def accept_all(path, body, headers):
    return 200, {"code": 0}


@pytest.fixture
def stub():
    with TipTopStub(api_secret=SECRET) as s:
        yield s
    assert s.rejections == []


def paid(stub, **link):
    """A link paid through the stand-in (its Check, Pay and Receipt delivered); returns the transaction."""
    body = {"Amount": 4500.00, "Currency": "KZT", "Description": "Заказ A-1042", "Email": "buyer@farm.kz",
            "InvoiceId": "A-1042", "AccountId": "buyer@farm.kz",
            "JsonData": {"cloudPayments": {"customerReceipt": {"Items": RECEIPT_ITEMS}}}, **link}
    r = requests.post(stub.base_url + "/orders/create", json=body, auth=("pk_test_shop", SECRET), timeout=5)
    return stub.pay(r.json()["Model"]["Id"], accept_all)


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


# ---------------------------------------------------------------- codes
def test_answer_codes_are_protocols():
    assert (CODE_OK, CODE_WRONG_INVOICE, CODE_WRONG_ACCOUNT, CODE_WRONG_AMOUNT, CODE_NOT_ACCEPTED, CODE_EXPIRED) == \
        (0, 10, 11, 12, 13, 20)
    assert answer() == {"code": 0} and answer(CODE_EXPIRED) == {"code": 20}
    with pytest.raises(ValueError):
        answer(14)


# ---------------------------------------------------------------- signatures
def test_protocols_test_vector_verifies():
    assert verify(VECTOR_BODY, {"Content-HMAC": VECTOR_HMAC, "Content-Type": FORM}, "test_secret")
    assert verify(VECTOR_BODY, {"content-hmac": VECTOR_HMAC}, "test_secret")  # header names are case-blind


def test_x_content_hmac_alone_verifies_a_form_body():
    assert verify(VECTOR_BODY, {"X-Content-HMAC": VECTOR_X_HMAC, "Content-Type": FORM}, "test_secret")


@pytest.mark.parametrize("headers, secret", [
    ({"Content-HMAC": VECTOR_HMAC}, "other_secret"),
    ({"Content-HMAC": sign(VECTOR_BODY + b"&x=1", "test_secret")}, "test_secret"),
    ({"Content-HMAC": "not base64 at all ü"}, "test_secret"),
    ({"Content-HMAC": ""}, "test_secret"),
    ({}, "test_secret"),
    ({"Content-HMAC": VECTOR_HMAC}, ""),
    ({"Content-HMAC": VECTOR_HMAC}, None),
    # Content-HMAC, when present, decides: a good X-Content-HMAC does not rescue a bad one.
    ({"Content-HMAC": "AAAA", "X-Content-HMAC": VECTOR_X_HMAC, "Content-Type": FORM}, "test_secret"),
    ({"X-Content-HMAC": VECTOR_X_HMAC, "Content-Type": "application/json"}, "test_secret"),
])
def test_a_bad_or_missing_signature_fails(headers, secret):
    assert verify(VECTOR_BODY, headers, secret) is False


def test_a_body_re_encoded_from_an_x_content_hmac_cannot_override_a_field():
    genuine = b"TransactionId=7&Amount=4500.00&Currency=KZT&Status=Completed&Name=A%26Amount%3d1.00"
    forged = b"TransactionId=7&Amount=4500.00&Currency=KZT&Status=Completed&Name=A&Amount=1.00"
    x_hmac = sign(forged)  # X-Content-HMAC of the genuine body: its decoded text is the forged body
    assert verify(genuine, {"X-Content-HMAC": x_hmac, "Content-Type": FORM}, SECRET)
    assert verify(forged, {"X-Content-HMAC": x_hmac, "Content-Type": FORM}, SECRET)
    assert parse("pay", genuine, FORM).amount_minor == 4500_00
    with pytest.raises(MalformedNotification, match="Amount is given twice"):
        parse("pay", forged, FORM)


@pytest.mark.parametrize("fmt", ["form", "json"])
@pytest.mark.parametrize("kind", ["check", "pay", "fail", "refund", "cancel", "receipt"])
def test_the_stand_ins_notifications_verify_and_a_changed_byte_does_not(stub, kind, fmt):
    body, headers = stub.notification(kind, fmt=fmt)
    assert verify(body, headers, SECRET)
    assert not verify(body.replace(b"4500", b"4501"), headers, SECRET)


# ---------------------------------------------------------------- parsing
@pytest.mark.parametrize("kind", ["check", "pay", "fail", "refund", "cancel", "receipt"])
def test_form_and_json_read_the_same(stub, kind):
    tx = paid(stub)
    record = {"receipt": stub.receipts[0]["Id"], "refund": stub.refund(tx["TransactionId"], Decimal("0.01"))}
    stub.outbox.clear()
    form_body, form_headers = stub.notification(kind, record.get(kind, tx), fmt="form")
    json_body, json_headers = stub.notification(kind, record.get(kind, tx), fmt="json")
    from_form = parse(kind, form_body, form_headers["Content-Type"])
    assert from_form == parse(kind, json_body, json_headers["Content-Type"])
    assert isinstance(from_form, Notification) and from_form.kind == kind


def test_pay_reads_what_the_shop_needs(stub):
    tx = paid(stub)
    pay = parse("pay", *[(d.body, d.headers["Content-Type"]) for d in stub.deliveries if d.kind == "pay"][0])
    assert pay == Notification(
        kind="pay", transaction_id=str(tx["TransactionId"]), invoice_id="A-1042", account_id="buyer@farm.kz",
        email="buyer@farm.kz", amount_minor=4500_00, currency="KZT", status="Completed", reason=None,
        reason_code=None, test_mode=True, payment_transaction_id=None, receipt=None, card_last_four="4242")
    check = parse("check", stub.deliveries[0].body, FORM)
    assert (check.kind, check.transaction_id, check.amount_minor, check.status) == ("check", pay.transaction_id,
                                                                                     4500_00, "Completed")


def test_receipt_reads_its_fiscal_fields(stub):
    tx = paid(stub)
    delivery = next(d for d in stub.deliveries if d.kind == "receipt")
    note = parse("receipt", delivery.body, delivery.headers["Content-Type"])
    issued = stub.receipts[0]
    assert note.transaction_id == str(tx["TransactionId"]) and note.invoice_id == "A-1042"
    assert note.amount_minor == 4500_00 and note.receipt == Receipt(
        id=issued["Id"], type="Income", number=str(issued["Number"]), document_number=str(issued["DocumentNumber"]),
        session_number="1", fiscal_sign=issued["FiscalSign"], fiscal_number=issued["FiscalNumber"],
        device_number=issued["DeviceNumber"], reg_number=issued["RegNumber"], url=issued["Url"],
        qr_code_url=issued["QrCodeUrl"], amount_minor=4500_00)


def test_refund_names_the_refund_and_the_payment(stub):
    tx = paid(stub)
    refund = stub.refund(tx["TransactionId"], Decimal("19.99"))
    body, headers = stub.refund_notification(refund)
    note = parse("refund", body, headers["Content-Type"])
    assert (note.transaction_id, note.payment_transaction_id, note.amount_minor) == (
        str(refund["TransactionId"]), str(tx["TransactionId"]), 1999)
    stub.outbox.clear()


def test_fail_reads_the_decline():
    body = form_encode({"TransactionId": "7", "Amount": "10.00", "Currency": "KZT", "Reason": "InsufficientFunds",
                        "ReasonCode": "5051", "TestMode": "0"})
    note = parse("fail", body, FORM)
    assert (note.reason, note.reason_code, note.test_mode, note.status, note.invoice_id) == (
        "InsufficientFunds", 5051, False, None, "")


@pytest.mark.parametrize("amount, minor", [("19.99", 1999), ("4500.00", 4500_00), ("0.1", 10), ("7", 700),
                                           ("92233720368547758.07", 2**63 - 1)])
def test_amounts_are_exact_tiyn(amount, minor):
    fields = {"TransactionId": "7", "Amount": amount, "Currency": "KZT", "Status": "Completed"}
    assert parse("pay", form_encode(fields), FORM).amount_minor == minor
    as_json = json.dumps(fields).replace(f'"{amount}"', amount).encode()  # a JSON number, read exactly
    assert parse("pay", as_json, "application/json; charset=utf-8").amount_minor == minor


PAY = {"TransactionId": "7", "Amount": "4500.00", "Currency": "KZT", "Status": "Completed"}


@pytest.mark.parametrize("body, content_type, message", [
    (form_encode({k: v for k, v in PAY.items() if k != "TransactionId"}), FORM, "TransactionId is missing"),
    (form_encode({**PAY, "Amount": ""}), FORM, "Amount is missing"),
    (form_encode({**PAY, "Amount": "45.001"}), FORM, "Amount must be"),
    (form_encode({**PAY, "Amount": "4500,00"}), FORM, "Amount must be"),
    (form_encode({**PAY, "Amount": "-1.00"}), FORM, "Amount must be"),
    (form_encode({**PAY, "Amount": "NaN"}), FORM, "Amount must be"),
    (form_encode({**PAY, "Amount": "92233720368547758.08"}), FORM, "Amount must be"),
    (form_encode({**PAY, "TransactionId": "abc"}), FORM, "TransactionId must be"),
    (form_encode({**PAY, "TransactionId": "0"}), FORM, "TransactionId must be"),
    (form_encode({**PAY, "TestMode": "yes"}), FORM, "TestMode must be"),
    (form_encode(PAY) + b"&Amount=1.00", FORM, "given twice"),
    (json.dumps({**PAY, "Amount": True}).encode(), "application/json", "Amount must be"),
    (json.dumps({**PAY, "InvoiceId": 1042}).encode(), "application/json", "InvoiceId must be text"),
    (json.dumps([PAY]).encode(), "application/json", "not an object"),
    (b"{not json", "application/json", "not valid JSON"),
    (b"TransactionId=7&Amount=\xff", FORM, "not UTF-8"),
    (form_encode(PAY), "text/plain", "unexpected Content-Type"),
])
def test_malformed_notifications_are_refused_clearly(body, content_type, message):
    with pytest.raises(MalformedNotification, match=message):
        parse("pay", body, content_type)


def test_each_kind_needs_its_own_fields():
    with pytest.raises(MalformedNotification, match="PaymentTransactionId is missing"):
        parse("refund", form_encode({"TransactionId": "8", "Amount": "1.00"}), FORM)
    with pytest.raises(MalformedNotification, match="Id is missing"):
        parse("receipt", form_encode({"Type": "Income", "Amount": "1.00"}), FORM)
    with pytest.raises(MalformedNotification, match="unknown notification kind"):
        parse("recurrent", form_encode(PAY), FORM)
