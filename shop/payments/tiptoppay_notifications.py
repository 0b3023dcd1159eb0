"""TipTop Pay notifications (PROTOCOL.md §4, §6.3): verify their signature and read them into typed values.

Pure functions: no Flask request, no database. The webhook view reads the raw body first
(``request.get_data(cache=True)``), calls ``verify`` (answer 400 when False), then ``parse`` (answer 400 on
MalformedNotification), acts idempotently, and answers ``answer(code)``, i.e. ``{"code": 0}`` when accepted.
"""
import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

# Answer codes (§4.1, §4.3). Only Check may answer anything but CODE_OK; every refusal declines the payment.
CODE_OK = 0  # accepted; for Check: the payment may proceed
CODE_WRONG_INVOICE = 10  # unknown or invalid InvoiceId
CODE_WRONG_ACCOUNT = 11  # invalid AccountId
CODE_WRONG_AMOUNT = 12  # the amount (or currency) is not the order's
CODE_NOT_ACCEPTED = 13  # the payment cannot be accepted: already paid, cancelled, out of stock...
CODE_EXPIRED = 20  # the payment is overdue: the order's holds ran out (the payer is told)
CHECK_CODES = (CODE_OK, CODE_WRONG_INVOICE, CODE_WRONG_ACCOUNT, CODE_WRONG_AMOUNT, CODE_NOT_ACCEPTED, CODE_EXPIRED)

MAX_MINOR = 2**63  # the shop's money columns are 64-bit
KINDS = ("check", "pay", "fail", "refund", "cancel", "receipt")
# The fields the shop cannot do without, per kind; anything else may be absent (TipTop varies, §4, §8).
REQUIRED = {
    "check": ("TransactionId", "Amount", "Currency", "Status"),
    "pay": ("TransactionId", "Amount", "Currency", "Status"),
    "fail": ("TransactionId", "Amount", "Currency"),
    "refund": ("TransactionId", "PaymentTransactionId", "Amount"),
    "cancel": ("TransactionId", "Amount"),
    "receipt": ("Id", "Type", "Amount"),
}


class MalformedNotification(ValueError):
    """A notification that lacks a field the shop needs or gives one of the wrong type (answer 400)."""


@dataclass(frozen=True)
class Receipt:
    """A fiscal receipt the cash register issued (Receipt notification, §6.3)."""

    id: str  # TipTop's receipt Id (kkt/receipt answers it too): the notification's idempotency key
    type: str  # Income (sale) or IncomeReturn (refund); Expense / ExpenseReturn are possible too
    number: str | None
    document_number: str | None
    session_number: str | None
    fiscal_sign: str | None
    fiscal_number: str | None
    device_number: str | None
    reg_number: str | None
    url: str | None  # the receipt's copy for the buyer
    qr_code_url: str | None
    amount_minor: int


@dataclass(frozen=True)
class Notification:
    """One notification in the shop's terms; amounts in tiyn, ids as strings."""

    kind: str  # check, pay, fail, refund, cancel or receipt
    transaction_id: str  # Pay/Check/Fail: the payment; Refund: the refund; Receipt: its transaction or ""
    invoice_id: str  # the order's public id; "" when TipTop sent none
    account_id: str
    email: str
    amount_minor: int
    currency: str | None  # Check, Pay, Fail (Refund and Cancel are in the payment's currency)
    status: str | None  # Check, Pay: Completed (or Authorized, two-stage)
    reason: str | None  # Fail: the decline, in words
    reason_code: int | None  # Fail: the decline code (§3.1)
    test_mode: bool  # False when TipTop left it out
    payment_transaction_id: str | None  # Refund: the payment refunded
    receipt: Receipt | None  # Receipt only
    card_last_four: str = ""  # Pay: the card's last four digits, when TipTop sent them


def answer(code: int = CODE_OK) -> dict:
    """Return the JSON answer TipTop expects, ``{"code": code}``."""
    if code not in CHECK_CODES:
        raise ValueError(f"not a TipTop answer code: {code!r}")
    return {"code": code}


def sign(message: bytes, secret: str) -> str:
    """Return base64 HMAC-SHA256 of ``message`` keyed with the API Secret (§4.2)."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()).decode("ascii")


def verify(body: bytes, headers: Mapping[str, str], secret: str | None) -> bool:
    """Return whether ``body`` (raw, as received) carries TipTop's signature made with ``secret``.

    ``Content-HMAC`` (over the raw body, §4.2) decides whenever it is present. Only without it is the
    fallback ``X-Content-HMAC`` accepted, as PROTOCOL's reference code checks it: over ``unquote_plus`` of
    the whole body (§8.6), and only for a form body. It signs the decoded text, not the fields, so a body
    re-encoded from it could split a value holding ``%26``/``%3d`` into extra fields; ``parse`` refuses a
    field given twice, which keeps such a body from overriding the amount, invoice or transaction.
    """
    if not secret:
        return False
    sent = _header(headers, "Content-HMAC")
    if sent is not None:
        return _same(sent, sign(body, secret))
    sent_x = _header(headers, "X-Content-HMAC")
    content_type = (_header(headers, "Content-Type") or "").split(";")[0].strip().lower()
    if sent_x is None or content_type != "application/x-www-form-urlencoded":
        return False
    try:
        decoded = unquote_plus(body.decode("utf-8"), errors="strict")
    except UnicodeDecodeError:
        return False
    return _same(sent_x, sign(decoded.encode("utf-8"), secret))


def parse(kind: str, body: bytes, content_type: str) -> Notification:
    """Read a (verified) notification of ``kind``, form-urlencoded or JSON by ``content_type``.

    Raises MalformedNotification naming the first missing or mistyped field.
    """
    if kind not in KINDS:
        raise MalformedNotification(f"unknown notification kind {kind!r}")
    fields = _fields(body, content_type)
    what = f"{kind.capitalize()} notification"
    for name in REQUIRED[kind]:
        if _blank(fields.get(name)):
            raise MalformedNotification(f"{what}: {name} is missing")
    receipt = _receipt(fields, what) if kind == "receipt" else None
    transaction_id = fields.get("TransactionId")
    return Notification(
        kind=kind,
        transaction_id="" if _blank(transaction_id) else _id(transaction_id, "TransactionId", what),
        invoice_id=_text(fields, "InvoiceId", what) or "",
        account_id=_text(fields, "AccountId", what) or "",
        email=_text(fields, "Email", what) or "",
        amount_minor=_amount(fields["Amount"], "Amount", what),
        currency=_text(fields, "Currency", what),
        status=_text(fields, "Status", what),
        reason=_text(fields, "Reason", what),
        reason_code=None if _blank(fields.get("ReasonCode")) else _int(fields["ReasonCode"], "ReasonCode", what),
        test_mode=False if _blank(fields.get("TestMode")) else _bool(fields["TestMode"], "TestMode", what),
        payment_transaction_id=None if _blank(fields.get("PaymentTransactionId"))
        else _id(fields["PaymentTransactionId"], "PaymentTransactionId", what),
        receipt=receipt,
        card_last_four=_last_four(fields.get("CardLastFour")),
    )


# ---------------------------------------------------------------- reading fields
def _last_four(value: Any) -> str:
    """Return the card's last four digits, or "" for anything else (it only names the card to staff)."""
    text = "" if _blank(value) else str(value).strip()
    return text if len(text) == 4 and text.isascii() and text.isdigit() else ""


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower() and value and value.strip():
            return value.strip()
    return None


def _same(sent: str, expected: str) -> bool:
    return hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode("ascii"))


def _fields(body: bytes, content_type: str) -> dict[str, Any]:
    """The body's fields: a JSON object, or form pairs (each name at most once)."""
    mime = (content_type or "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedNotification("the body is not UTF-8 (choose UTF8 encoding in the cabinet)") from None
    if mime == "application/json" or mime.endswith("+json"):
        try:
            fields = json.loads(text, parse_float=Decimal)
        except ValueError:
            raise MalformedNotification("the body is not valid JSON") from None
        if not isinstance(fields, dict):
            raise MalformedNotification("the JSON body is not an object")
        return fields
    if mime not in ("application/x-www-form-urlencoded", ""):
        raise MalformedNotification(f"unexpected Content-Type {mime!r}: expected form or JSON")
    fields = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        if name in fields:
            raise MalformedNotification(f"the field {name} is given twice")
        fields[name] = value
    return fields


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _text(fields: dict, name: str, what: str) -> str | None:
    value = fields.get(name)
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise MalformedNotification(f"{what}: {name} must be text")
    return value


def _ident(fields: dict, name: str, what: str) -> str | None:
    """Receipt numbers and signs: text or a whole number, read as text."""
    value = fields.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(fields, name, what)


def _int(value: Any, name: str, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.strip().isascii():
        return int(value)
    raise MalformedNotification(f"{what}: {name} must be a whole number")


def _id(value: Any, name: str, what: str) -> str:
    number = _int(value, name, what)
    if number <= 0:
        raise MalformedNotification(f"{what}: {name} must be a positive number")
    return str(number)


def _amount(value: Any, name: str, what: str) -> int:
    """Exact tiyn of a decimal amount like ``"4500.00"`` or 4500.0; no float ever touches it."""
    if isinstance(value, str):
        value = value.strip()
        ok = value.replace(".", "", 1).isdigit() and value.isascii()
    else:
        ok = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    try:
        minor = Decimal(value).scaleb(2) if ok else None
    except InvalidOperation:
        minor = None
    if minor is None or not minor.is_finite() or not 0 <= minor < MAX_MINOR or minor != minor.to_integral_value():
        raise MalformedNotification(f"{what}: {name} must be an amount with at most 2 decimals, got {value!r}")
    return int(minor)


def _bool(value: Any, name: str, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "0", "true", "false"):
        return value.strip().lower() in ("1", "true")
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    raise MalformedNotification(f"{what}: {name} must be 1/0 or true/false")


def _receipt(fields: dict, what: str) -> Receipt:
    ident = {name: _ident(fields, name, what) for name in ("Id", "Number", "DocumentNumber", "SessionNumber",
                                                          "FiscalSign", "FiscalNumber", "DeviceNumber", "RegNumber")}
    return Receipt(
        id=ident["Id"] or "", type=_text(fields, "Type", what) or "", number=ident["Number"],
        document_number=ident["DocumentNumber"], session_number=ident["SessionNumber"],
        fiscal_sign=ident["FiscalSign"], fiscal_number=ident["FiscalNumber"], device_number=ident["DeviceNumber"],
        reg_number=ident["RegNumber"], url=_text(fields, "Url", what), qr_code_url=_text(fields, "QrCodeUrl", what),
        amount_minor=_amount(fields["Amount"], "Amount", what),
    )
