"""A strict, in-memory stand-in for the TipTop Pay API (the CloudPayments API on api.tiptoppay.kz).

Specification: shared/tiptoppay/PROTOCOL.md (section numbers below are its).

    with TipTopStub() as stub:              # Public ID "pk_test_shop", API Secret "tt_secret"
        monkeypatch.setenv("TIPTOPPAY_API_BASE", stub.base_url)
        ...                                 # the shop creates a payment link (orders/create)
        tx = stub.pay("A-1042", deliver)    # the buyer pays: Check, Pay, Receipt go to the shop
        assert stub.rejections == []

``deliver(path, body, headers) -> (status_code, answer)`` posts one notification to the shop and returns the
HTTP status and the answer (decoded JSON, or text; text is JSON-decoded when possible). With a test client:

    def deliver(path, body, headers):
        r = client.post(path, data=body, headers=headers)
        return r.status_code, r.get_json(silent=True)

A notification counts as accepted when the status is 200 and the answer is ``{"code": 0}``.

API strictness: every method is POST with HTTP Basic auth (Public ID / API Secret; else HTTP 401) and a JSON
body; fields are checked by exact name and type (unknown fields are refused: TipTop would silently ignore a
misspelt one); ``Amount`` is a JSON number >= 0.01 with at most 2 decimals; ``Currency`` is "KZT"; receipts
(``JsonData.cloudPayments.customerReceipt`` of orders/create and payments/refund, ``CustomerReceipt`` of
kkt/receipt) have known keys, typed lines whose ``amount`` <= price x quantity, and sum to the payment and to
their ``amounts``. A refused request answers ``{"Success": false, "Message": ...}`` (HTTP 200 as TipTop does for
validation errors; 401 auth, 404 unknown method, 405 not POST) and is appended to ``stub.rejections``. Errors a
test provokes on purpose (unknown ids, refunding more than remains, cancelling a paid link, ``fail_next``)
answer Success false too but are not rejections. ``X-Request-ID``: a repeat within an hour returns the first
result without re-processing; reusing one id for a different request is recorded as a rejection (TipTop would
silently answer the first result). Its absence is refused on the paths in ``stub.require_request_id``.

Simulation: ``stub.pay`` (buyer on the hosted page), ``stub.refund`` (refund in the cabinet), ``notification`` /
``send`` (hand-built notifications), ``flush`` (notifications the API produced: Refund after payments/refund,
Receipt after kkt/receipt). Those wait in ``stub.outbox`` until ``flush(deliver)``, unless ``stub.deliver`` or
``stub.notify_base`` is set: then the stub's server thread sends them right after the API answer has been
written, as TipTop would, while the shop's request may still be running; ``stub.wait()`` blocks until they are
delivered. The hosted page ``Model.Url`` (GET: a card form; POST: pays) delivers over HTTP to
``stub.notify_base`` and redirects (303) to SuccessRedirectUrl / FailRedirectUrl.

Inspection: ``stub.requests`` (``Request`` tuples ``(method, path, json)`` with ``.headers``; amounts parsed as
Decimal), ``stub.links`` (Id -> link), ``stub.transactions`` (TransactionId -> model, refunds included, with
``OperationType`` and ``OriginalTransactionId``), ``stub.receipts`` (list), ``stub.deliveries`` (``Delivery``:
kind, path, body, headers, status, answer, ``.fields``, ``.accepted``), ``stub.outbox``, ``stub.rejections``.

Outage: ``stub.down = True`` closes the listening socket, so API calls fail with "connection refused" at once
(the shop's "TipTop unreachable" path, with no timeout to wait for); ``stub.down = 503`` (any 5xx) keeps
listening but answers that status with an HTML error page, as a load balancer would; ``stub.down = False``
serves again on the same port. ``fail_next(path, message)`` makes the next well-formed call to ``path`` answer
``{"Success": false, "Message": message}``.

Choices where PROTOCOL.md leaves things open (each a constant below):
* NOTIFICATION_FORMAT "form": notifications are form-urlencoded (§4.1, the CloudPayments format), encoded as
  .NET does (space "+", lowercase %xx, as in the §4.4 example); "json" is selectable per stub or per call,
  then amounts are numbers, ids integers, TestMode a bool, Data/Receipt objects (§8.7: third-party claim only).
* Content-HMAC = base64 HMAC-SHA256 of the raw body with the API Secret; X-Content-HMAC = the same over
  ``unquote_plus`` of the whole body (§8.6, as PROTOCOL's reference code checks it). SIGN_RECEIPTS: Receipt
  notifications are signed like the others (§8.7).
* HOSTED_PATH: ``Model.Url`` = ``<base_url>/d/<Id>`` (§8.3, like orders.cloudpayments.ru/d/<Id>). Redirect URLs
  are used exactly as given, nothing appended (§8.2). Link Status: "Created", "Paid", "Cancelled" (§8.3);
  cancelling a paid link fails, cancelling a cancelled one succeeds again.
* Paying a link sends its InvoiceId, AccountId, Email, Description and JsonData (as ``Data``, the whole
  object) in Check/Pay/Fail (§8.4); a receipt in the link's JsonData is honoured (SALE_RECEIPT_FROM_LINK):
  an Income receipt and a Receipt notification follow Pay. A receipt in payments/refund's JsonData makes an
  IncomeReturn receipt likewise.
* A Check refusal (anything but HTTP 200 + code 0) declines the payment: the transaction is kept as Declined
  with ReasonCode CHECK_REFUSAL_REASON_CODE and no Fail notification follows (FAIL_AFTER_CHECK_REFUSAL).
  A declined card sends Fail and leaves the link open for another attempt.
* Receipt keys are matched case-insensitively (§6.1: both casings are in use), top-level API fields exactly.
  VAT_RATES None/0/12/16 (§8.9: 16 per the 2026 tax code), TAXATION_SYSTEMS 0-5, INN_PATTERN 12 digits,
  QUANTITY_DECIMALS 3, item method 0-7 and object 0-13; prices and amounts must be JSON numbers.
* kkt/receipt answers Message KKT_MESSAGE "Queued" and Model {"Id", "ErrorCode": null} (§8.10); its
  X-Request-ID is required (REQUIRE_REQUEST_ID, §6.2 "send X-Request-ID"). Form-encoded API bodies are
  refused (TipTop takes them, but §2 says use JSON). RequireConfirmation=true is refused
  (single-stage only). Models: JsonData as a JSON string, CurrencyCode CURRENCY_CODE (0, as [T4]'s fixture),
  ``Refunded`` true once nothing is left to refund, TestMode true.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import html
import json
import re
import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote_plus, urlsplit

CURRENCY = "KZT"
CURRENCY_CODE = 0
NOTIFICATION_FORMAT = "form"
SIGN_RECEIPTS = True
HOSTED_PATH = "/d/"
SALE_RECEIPT_FROM_LINK = True
FAIL_AFTER_CHECK_REFUSAL = False
CHECK_REFUSAL_REASON_CODE = 5204
VAT_RATES = (None, 0, 12, 16)
TAXATION_SYSTEMS = range(6)
INN_PATTERN = r"\d{12}"
QUANTITY_DECIMALS = 3
LABEL_MAX = 128
KKT_MESSAGE = "Queued"
REQUIRE_REQUEST_ID = ("/kkt/receipt",)
IDEMPOTENCY_TTL = 3600
CULTURES = ("ru-RU", "en-US", "kk", "kk-KZ")
RECEIPT_TYPES = ("Income", "IncomeReturn", "Expense", "ExpenseReturn")
KINDS = ("check", "pay", "fail", "refund", "cancel", "receipt")
NOTIFY_PATHS = {kind: f"/webhooks/tiptoppay/{kind}" for kind in KINDS}
DEFAULT_CARD = "4242424242424242"
TEST_CARDS = {  # §7: number -> (CardType, ReasonCode of a payment; 0 = approved)
    "4242424242424242": ("Visa", 0), "5555555555554444": ("MasterCard", 0),
    "4012888888881881": ("Visa", 5051), "5105105105105100": ("MasterCard", 5051),
    "4111111111111111": ("Visa", 0), "5200828282828210": ("MasterCard", 0),
    "4000056655665556": ("Visa", 5051), "5404000000000043": ("MasterCard", 5051),
}
DECLINES = {5051: ("InsufficientFunds", "Недостаточно средств на карте"),
            CHECK_REFUSAL_REASON_CODE: ("Rejected by the merchant (Check)", "Платёж отклонён магазином")}
LINK_MODEL_KEYS = ("Id", "Number", "Amount", "Currency", "CurrencyCode", "Email", "Phone", "Description",
                   "RequireConfirmation", "Url", "CultureName", "CreatedDate", "CreatedDateIso", "PaymentDate",
                   "PaymentDateIso", "Status")
RECEIPT_NOTIFICATION_KEYS = ("Id", "DocumentNumber", "SessionNumber", "Number", "FiscalSign", "DeviceNumber",
                             "RegNumber", "FiscalNumber", "Inn", "Type", "Ofd", "Url", "QrCodeUrl",
                             "TransactionId", "Amount", "DateTime", "InvoiceId", "AccountId", "Receipt",
                             "CalculationPlace", "CashierName", "SettlePlace")
RECEIPT_KEYS = {"items", "taxationsystem", "calculationplace", "email", "phone", "amounts", "customerinfo",
                "customerinn", "isbso", "agentsign", "cashiername", "additionalreceiptinfos"}
ITEM_KEYS = {"label", "price", "quantity", "amount", "vat", "method", "object", "measurementunit", "unitcode",
             "excise", "countryorigincode", "customsdeclarationnumber", "agentsign", "agentdata",
             "purveyordata", "additionalpositioninfo", "saleobjectdata", "productcodedata"}
AMOUNTS_KEYS = {"electronic", "advancepayment", "credit", "provision"}
CENT = Decimal("0.01")


# ---------------------------------------------------------------- values and field checks
def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v, decimals: int = 2) -> bool:
    """A JSON number (int or Decimal, never a string or bool) with at most ``decimals`` decimals."""
    if not (_is_int(v) or isinstance(v, Decimal)) or not Decimal(v).is_finite():
        return False
    try:
        return Decimal(v) == Decimal(v).quantize(Decimal(1).scaleb(-decimals))
    except ArithmeticError:  # too many digits to quantize
        return False


CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "amount": ("a number >= 0.01 with at most 2 decimals", lambda v: _is_number(v) and v >= CENT),
    "currency": (f"{CURRENCY!r}", lambda v: v == CURRENCY),
    "text": ("a non-empty string", lambda v: isinstance(v, str) and v.strip() != ""),
    "email": ("an e-mail address", lambda v: isinstance(v, str) and re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", v)),
    "url": ("an http(s) URL", lambda v: isinstance(v, str) and re.match(r"https?://[^/\s]+", v)),
    "bool": ("a boolean", lambda v: isinstance(v, bool)),
    "id": ("a positive integer", lambda v: _is_int(v) and v > 0),
    "object": ("a JSON object", lambda v: isinstance(v, dict)),
    "culture": (f"one of {CULTURES}", lambda v: v in CULTURES),
    "receipt_type": (f"one of {RECEIPT_TYPES}", lambda v: v in RECEIPT_TYPES),
    "inn": (f"a string matching {INN_PATTERN}", lambda v: isinstance(v, str) and re.fullmatch(INN_PATTERN, v)),
}
SPECS: dict[str, dict[str, tuple[str, bool]]] = {  # path -> field -> (check, required)
    "/test": {},
    "/orders/create": {
        "Amount": ("amount", True), "Currency": ("currency", True), "Description": ("text", True),
        "Email": ("email", False), "RequireConfirmation": ("bool", False), "SendEmail": ("bool", False),
        "InvoiceId": ("text", False), "AccountId": ("text", False), "CultureName": ("culture", False),
        "OfferUri": ("url", False), "Phone": ("text", False), "SendSms": ("bool", False),
        "SendViber": ("bool", False), "SendWhatsApp": ("bool", False), "SubscriptionBehavior": ("text", False),
        "SuccessRedirectUrl": ("url", False), "FailRedirectUrl": ("url", False), "JsonData": ("object", False)},
    "/orders/cancel": {"Id": ("text", True)},
    "/payments/find": {"InvoiceId": ("text", True)},
    "/payments/get": {"TransactionId": ("id", True)},
    "/payments/refund": {"TransactionId": ("id", True), "Amount": ("amount", True), "JsonData": ("object", False)},
    "/kkt/receipt": {"Inn": ("inn", True), "Type": ("receipt_type", True), "CustomerReceipt": ("object", True),
                     "InvoiceId": ("text", False), "AccountId": ("text", False)},
    "/kkt/receipt/status/get": {"Id": ("text", True)},
}


class ApiError(ValueError):
    """An answer with Success false; ``rejection`` marks requests TipTop would refuse as malformed."""

    def __init__(self, message: str, status: int = 200, rejection: bool = False):
        super().__init__(message)
        self.message, self.status, self.rejection = message, status, rejection


def _reject(message: str, status: int = 200) -> ApiError:
    return ApiError(message, status, rejection=True)


def _fold(obj, allowed: set, where: str) -> dict:
    """``obj`` with lower-cased keys (receipt binding is case-insensitive); unknown or doubled keys refused."""
    if not isinstance(obj, dict):
        raise _reject(f"{where} must be a JSON object")
    out = {}
    for key, value in obj.items():
        low = key.lower()
        if low not in allowed:
            raise _reject(f"{where}: unknown key {key!r}")
        if low in out:
            raise _reject(f"{where}: key {key!r} given twice (keys are case-insensitive)")
        out[low] = value
    return out


def _receipt_in(json_data) -> dict | None:
    """The receipt under ``JsonData.cloudPayments.customerReceipt`` (keys case-insensitive), if any."""
    def get(d, name):
        return next((v for k, v in d.items() if k.lower() == name.lower()), None) if isinstance(d, dict) else None
    return get(get(json_data, "cloudPayments"), "customerReceipt")


def check_receipt(receipt, where: str = "CustomerReceipt", total: Decimal | None = None) -> Decimal:
    """Validate a customer receipt (§6); return the sum of its lines, which must equal ``total`` if given."""
    r = _fold(receipt, RECEIPT_KEYS, where)
    items = r.get("items")
    if not isinstance(items, list) or not items:
        raise _reject(f"{where}.Items must be a non-empty list")
    lines = Decimal(0)
    for n, raw in enumerate(items):
        at, it = f"{where}.Items[{n}]", _fold(raw, ITEM_KEYS, f"{where}.Items[{n}]")
        for key in ("label", "price", "quantity", "amount"):
            if key not in it:
                raise _reject(f"{at}.{key} is required")
        label, price, qty, amount = it["label"], it["price"], it["quantity"], it["amount"]
        if not isinstance(label, str) or not label.strip() or len(label) > LABEL_MAX:
            raise _reject(f"{at}.label must be a non-empty string of at most {LABEL_MAX} characters")
        for key, value in (("price", price), ("amount", amount)):
            if not _is_number(value) or value < 0:
                raise _reject(f"{at}.{key} must be a number >= 0 with at most 2 decimals, got {value!r}")
        if not _is_number(qty, QUANTITY_DECIMALS) or qty <= 0:
            raise _reject(f"{at}.quantity must be a number > 0 with at most {QUANTITY_DECIMALS} decimals")
        if amount > (Decimal(price) * Decimal(qty)).quantize(CENT, ROUND_HALF_UP):
            raise _reject(f"{at}.amount {amount} exceeds price x quantity ({price} x {qty})")
        vat = it.get("vat")
        if not (vat is None or (_is_int(vat) or isinstance(vat, Decimal)) and vat in VAT_RATES):
            raise _reject(f"{at}.vat must be one of {VAT_RATES}, got {vat!r}")
        for key, allowed in (("method", range(8)), ("object", range(14))):
            if it.get(key) is not None and not (_is_int(it[key]) and it[key] in allowed):
                raise _reject(f"{at}.{key} must be an integer in {allowed.start}..{allowed.stop - 1}")
        lines += amount
    tax = r.get("taxationsystem")
    if tax is not None and not (_is_int(tax) and tax in TAXATION_SYSTEMS):
        raise _reject(f"{where}.taxationSystem must be an integer in {list(TAXATION_SYSTEMS)}")
    for key in ("email", "phone", "calculationplace", "cashiername"):
        if r.get(key) is not None and not isinstance(r[key], str):
            raise _reject(f"{where}.{key} must be a string")
    if r.get("amounts") is not None:
        amounts = _fold(r["amounts"], AMOUNTS_KEYS, f"{where}.amounts")
        if not all(_is_number(v) and v >= 0 for v in amounts.values()):
            raise _reject(f"{where}.amounts: each must be a number >= 0 with at most 2 decimals")
        if sum(amounts.values(), Decimal(0)) != lines:
            raise _reject(f"{where}.amounts sum to {sum(amounts.values())}, the lines to {lines}")
    if total is not None and lines != total:
        raise _reject(f"{where}: the lines sum to {lines}, the payment is {total}")
    return lines


# ---------------------------------------------------------------- notifications: encoding and signing
def sign(body: bytes, secret: str) -> str:
    """``Content-HMAC``: base64 of HMAC-SHA256 over ``body`` keyed with the API Secret (§4.2)."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def sign_decoded(body: bytes, secret: str) -> str:
    """``X-Content-HMAC``: the same over the URL-decoded body (``unquote_plus`` of all of it, §8.6)."""
    return sign(unquote_plus(body.decode("utf-8")).encode("utf-8"), secret)


_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!*()")


def form_encode(fields: dict[str, str]) -> bytes:
    """``k=v&...`` as .NET's HttpUtility.UrlEncode writes it: space as "+", other bytes as lowercase %xx."""
    def q(s: str) -> str:
        return "".join(chr(b) if b in _SAFE else "+" if b == 32 else f"%{b:02x}" for b in s.encode("utf-8"))
    return "&".join(f"{q(k)}={q(v)}" for k, v in fields.items()).encode("ascii")


def _render(v) -> str | None:
    """A notification value as TipTop writes it: amounts with 2 decimals, booleans 1/0, objects as JSON."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (Decimal, float)):
        return f"{Decimal(str(v)):.2f}"
    if isinstance(v, (dict, list)):
        return _dumps(v)
    return str(v)


def _as_json(fields: dict[str, str]) -> dict:
    """The JSON-format body: typed amounts, ids, TestMode and objects (strings kept when they do not parse)."""
    out = {}
    for k, v in fields.items():
        try:
            if k in ("Amount", "PaymentAmount", "TotalFee"):
                v = float(v)
            elif k in ("TransactionId", "PaymentTransactionId", "ReasonCode", "Number", "DocumentNumber"):
                v = int(v)
            elif k == "TestMode":
                v = v == "1"
            elif k in ("Data", "Receipt", "CustomFields"):
                v = json.loads(v)
        except ValueError:
            pass
        out[k] = v
    return out


def _json_default(o):
    if isinstance(o, Decimal):
        return float(o)
    raise TypeError(f"{type(o).__name__} is not JSON serializable")


def _dumps(o) -> str:
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _accepted(status, answer) -> bool:
    return status == 200 and isinstance(answer, dict) and answer.get("code") == 0


def http_deliver(base_url: str, timeout: float = 30) -> Callable:
    """A ``deliver`` posting over real HTTP to ``base_url`` + path, headers spelt as given; (None, error) if
    the shop is unreachable. 30 s is TipTop's timeout per call (§4.1)."""
    base = urlsplit(base_url)

    def deliver(path: str, body: bytes, headers: dict):
        conn = HTTPConnection(base.hostname, base.port or 80, timeout=timeout)
        try:
            conn.request("POST", base.path.rstrip("/") + path, body, headers)
            response = conn.getresponse()
            status, data = response.status, response.read()
        except OSError as e:
            return None, str(e)
        finally:
            conn.close()
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data.decode("utf-8", "replace")
    return deliver


# ---------------------------------------------------------------- records
class _Request(NamedTuple):
    method: str
    path: str
    json: Any


class Request(_Request):
    """One API request as received: ``(method, path, json)``, plus ``.headers``."""
    headers: dict


@dataclass
class Delivery:
    """One notification sent to the shop, with the shop's answer."""
    kind: str
    path: str
    body: bytes
    headers: dict
    status: int | None
    answer: Any

    @property
    def fields(self) -> dict:
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return json.loads(self.body)
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))

    @property
    def accepted(self) -> bool:
        return _accepted(self.status, self.answer)


def _rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _dates(name: str, when: datetime | None) -> dict:
    if when is None:
        return {name: None, name + "Iso": None}
    return {name: f"/Date({int(when.timestamp() * 1000)})/", name + "Iso": when.strftime("%Y-%m-%dT%H:%M:%S")}


def _envelope(success: bool, message, model=None) -> dict:
    out = {"Success": success, "Message": message}
    if model is not None:
        out["Model"] = model
    return out


# ---------------------------------------------------------------- the server
class _Handler(BaseHTTPRequestHandler):
    stub: TipTopStub  # set on a per-stub subclass

    def _serve(self):
        stub = self.stub
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        down = stub._down
        if down is not False and down is not True:  # an HTTP status: the load balancer's error page
            return self._reply(down, f"<html><body><h1>{down} Service Unavailable</h1></body></html>")
        if path.startswith(HOSTED_PATH):
            status, page, location = stub._hosted(self.command, path[len(HOSTED_PATH):], body)
            return self._reply(status, page, location=location)
        status, envelope, flush = stub._api(self.command, path, self.headers, body)
        self._reply(status, json.dumps(envelope, ensure_ascii=False, default=_json_default),
                    "application/json; charset=utf-8")
        if flush:
            stub._flush_after_answer()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def _reply(self, status, text, ctype="text/html; charset=utf-8", location=None):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def log_message(self, *args):  # keep test output quiet
        pass


class TipTopStub:
    """In-memory TipTop Pay on ``base_url``; see the module docstring. One lock guards all state."""

    def __init__(self, public_id: str = "pk_test_shop", api_secret: str = "tt_secret", inn: str = "123456789012"):
        self.public_id, self.api_secret, self.inn = public_id, api_secret, inn  # inn: the cabinet's, for receipts
        self.links: dict[str, dict] = {}          # link Id -> link (its API model plus what the shop sent)
        self.transactions: dict[int, dict] = {}   # TransactionId -> transaction model (payments and refunds)
        self.receipts: list[dict] = []            # fiscal receipts, in issue order
        self.requests: list[Request] = []
        self.rejections: list[dict] = []          # requests TipTop would refuse: method, path, status, message, json
        self.deliveries: list[Delivery] = []      # notifications sent, with the shop's answers
        self.outbox: list[tuple[str, dict]] = []  # (kind, record) produced by API calls, not yet delivered
        self.deliver: Callable | None = None      # set: outbox notifications go out right after the API answer
        self.notify_base: str | None = None       # the shop's base URL, for the hosted page (and the outbox)
        self.notification_format = NOTIFICATION_FORMAT
        self.require_request_id = set(REQUIRE_REQUEST_ID)
        self._idempotency: dict[str, tuple] = {}
        self._failures: dict[str, list] = {}
        self._lock = threading.RLock()
        self._idle = threading.Condition(self._lock)
        self._flushing = 0  # API answers whose notifications are still being sent
        self._server = self._thread = None
        self._down: bool | int = False
        self.port = 0
        self._tx_seq = 100_000_000 + secrets.randbelow(800_000_000)
        self._link_seq = 0

    # -- lifecycle
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> TipTopStub:
        handler = type("Handler", (_Handler,), {"stub": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self) -> TipTopStub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def down(self) -> bool | int:
        return self._down

    @down.setter
    def down(self, value: bool | int) -> None:
        """True: connections refused; an HTTP 5xx status: answered with it; False: serving again."""
        if value is not True and value is not False and not (_is_int(value) and 500 <= value <= 599):
            raise ValueError("down is True, False or an HTTP 5xx status")
        self._down = value
        if value is True:
            self.stop()
        elif self._server is None and self.port:
            self.start()

    # -- test helpers
    def fail_next(self, path: str, message: str = "Injected failure from the TipTop stub", status: int = 200):
        """The next well-formed call to ``path`` answers ``{"Success": false, "Message": message}``."""
        path = "/" + path.lstrip("/")
        if path not in SPECS:
            raise ValueError(f"unknown API path {path}")
        with self._lock:
            self._failures.setdefault(path, []).append((status, message))

    def notification(self, kind: str, tx=None, *, fmt: str | None = None, **fields) -> tuple[bytes, dict]:
        """A signed notification as TipTop sends it: ``(body, headers)``.

        ``tx``: a transaction (dict or TransactionId) or, for "receipt", a receipt (dict or Id); None builds
        a sample. ``fields`` override or add fields (None removes one). ``fmt``: "form" or "json".
        """
        if kind not in KINDS:
            raise ValueError(f"kind is one of {KINDS}")
        with self._lock:
            pairs = self._fields(kind, self._record(kind, tx))
        pairs.update(fields)
        pairs = {k: r for k, v in pairs.items() if (r := _render(v)) is not None}
        fmt = fmt or self.notification_format
        if fmt == "form":
            body, ctype = form_encode(pairs), "application/x-www-form-urlencoded"
        elif fmt == "json":
            body, ctype = json.dumps(_as_json(pairs), ensure_ascii=False).encode("utf-8"), "application/json"
        else:
            raise ValueError("fmt is 'form' or 'json'")
        headers = {"Content-Type": ctype}
        if kind != "receipt" or SIGN_RECEIPTS:
            headers.update({"Content-HMAC": sign(body, self.api_secret),
                            "X-Content-HMAC": sign_decoded(body, self.api_secret)})
        return body, headers

    def send(self, kind: str, deliver: Callable, tx=None, *, fmt: str | None = None, **fields):
        """Build a notification (as ``notification``), deliver it to its path; returns (status, answer)."""
        body, headers = self.notification(kind, tx, fmt=fmt, **fields)
        path = NOTIFY_PATHS[kind]
        status, answer = deliver(path, body, headers)
        if isinstance(answer, (str, bytes)):
            try:
                answer = json.loads(answer)
            except ValueError:
                pass
        with self._lock:
            self.deliveries.append(Delivery(kind, path, body, headers, status, answer))
        return status, answer

    def refund_notification(self, refund, **fields) -> tuple[bytes, dict]:
        """The Refund notification of a refund transaction (dict or TransactionId)."""
        return self.notification("refund", refund, **fields)

    def flush(self, deliver: Callable | None = None) -> list[tuple]:
        """Deliver what waits in ``outbox`` (to ``deliver``, else ``stub.deliver``, else ``notify_base``)."""
        deliver = deliver or self.deliver or (http_deliver(self.notify_base) if self.notify_base else None)
        if deliver is None:
            raise ValueError("no deliver given and neither stub.deliver nor stub.notify_base set")
        with self._lock:
            pending, self.outbox = self.outbox, []
        return [self.send(kind, deliver, record) for kind, record in pending]

    def pay(self, link: str, deliver: Callable, card: str = DEFAULT_CARD, *, check: bool = True,
            pay_twice: bool = False, order=None, exp: str = "12/30", name: str = "TEST CARDHOLDER") -> dict:
        """The buyer pays link ``link`` (its Id, or the InvoiceId of the latest link) with a test card (§7).

        Default: Check; if accepted, the payment settles and Pay (twice with ``pay_twice``) or Fail follows,
        then Receipt when the link carried receipt lines. ``check=False`` skips Check. ``order``: a list of
        kinds ("check", "pay", "fail", "receipt") delivered exactly in that order, the payment settled first
        whatever the answers ([] delivers nothing). Returns a copy of the transaction.
        """
        card = re.sub(r"\D", "", card)
        if card not in TEST_CARDS:
            raise ValueError(f"not a test card: {card}; use one of {sorted(TEST_CARDS)}")
        with self._lock:
            lk = self._find_link(link)
            if lk["Status"] != "Created":
                raise ValueError(f"link {lk['Id']} is {lk['Status']}, it cannot be paid")
            tx = self._payment(lk, card, exp, name)
            self.transactions[tx["TransactionId"]] = tx
        code = TEST_CARDS[card][1]
        if order is None:
            if check and not _accepted(*self.send("check", deliver, tx)):
                with self._lock:
                    self._settle(tx, CHECK_REFUSAL_REASON_CODE)
                if FAIL_AFTER_CHECK_REFUSAL:
                    self.send("fail", deliver, tx)
                return copy.deepcopy(tx)
            order = (["pay", "pay"] if pay_twice else ["pay"]) if code == 0 else ["fail"]
            order += ["receipt"] if code == 0 and SALE_RECEIPT_FROM_LINK and lk["Receipt"] else []
        with self._lock:
            receipt = self._settle(tx, code)
        for kind in order:
            if kind == "receipt" and receipt is None:
                raise ValueError("no sale receipt: the payment was declined or the link had no receipt lines")
            self.send(kind, deliver, receipt if kind == "receipt" else tx)
        return copy.deepcopy(tx)

    def refund(self, transaction_id: int, amount=None, deliver: Callable | None = None) -> dict:
        """A refund made in the cabinet (``amount`` None: all that remains). Its Refund notification is sent
        with ``deliver`` if given, else waits in ``outbox``. Returns a copy of the refund transaction."""
        with self._lock:
            if amount is None:
                amount = self._remaining(self.transactions[transaction_id])
            refund = self._refund(transaction_id, Decimal(str(amount)).quantize(CENT), None, queue=deliver is None)
        if deliver is not None:
            self.send("refund", deliver, refund)
        return copy.deepcopy(refund)

    def wait(self, timeout: float = 5.0) -> None:
        """Block until the notifications the stub sends by itself after API answers have been delivered."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._flushing == 0, timeout):
                raise TimeoutError("the stub is still delivering notifications")

    # -- API
    def _api(self, method, path, headers, raw: bytes):
        """(status, envelope, whether to flush the outbox once the answer is written)."""
        with self._lock:
            status, envelope = self._answer(method, path, headers, raw)
            flush = bool(self.outbox and (self.deliver or self.notify_base))
            self._flushing += flush
            return status, envelope, flush

    def _flush_after_answer(self):
        try:
            self.flush()
        finally:
            with self._idle:
                self._flushing -= 1
                self._idle.notify_all()

    def _answer(self, method, path, headers, raw: bytes):
        """(status, envelope) for one API request; the caller holds the lock."""
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params, problem = {}, None
        if raw.strip():
            try:
                if ctype != "application/json":
                    raise ValueError(f"Content-Type {ctype or '(none)'}: the stub takes JSON bodies only "
                                     f"(PROTOCOL §2)")
                params = json.loads(raw, parse_float=Decimal, parse_constant=lambda c: float("nan"))
            except ValueError as e:
                problem, params = f"Bad body: {e}", raw.decode("utf-8", "replace")
        request = Request(method, path, params)
        request.headers = dict(headers)
        self.requests.append(request)
        try:
            if method != "POST":
                raise _reject(f"{method} is not allowed: every TipTop method is POST", 405)
            self._authenticate(headers)
            if path not in SPECS:
                raise _reject(f"Unknown method {path}", 404)
            if problem or not isinstance(params, dict):
                raise _reject(problem or "The body must be a JSON object")
            self._validate(path, params)
            if self._failures.get(path):
                status, message = self._failures[path].pop(0)
                return status, _envelope(False, message)
            return self._idempotent(path, params, headers.get("X-Request-ID"))
        except Exception as e:  # a bug in the stub is reported as a rejection too, so tests notice
            if not isinstance(e, ApiError):
                e = _reject(f"TipTop stub crashed: {e!r}", 500)
            self._note_rejection(method, path, e.status, e.message, params)
            return e.status, _envelope(False, e.message)

    def _note_rejection(self, method, path, status, message, params):
        self.rejections.append({"method": method, "path": path, "status": status, "message": message,
                                "json": params})

    def _authenticate(self, headers):
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        try:
            user, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except ValueError:
            user = password = ""
        if not (scheme.lower() == "basic" and hmac.compare_digest(user.encode(), self.public_id.encode())
                and hmac.compare_digest(password.encode(), self.api_secret.encode())):
            raise _reject("Authorization required: HTTP Basic with the Public ID and the API Secret", 401)

    def _validate(self, path, p):
        spec = SPECS[path]
        for name in p:
            if name not in spec:
                raise _reject(f"Unknown field {name!r} for {path} (TipTop would ignore it silently)")
        for name, (check, required) in spec.items():
            if p.get(name) is None:
                if required:
                    raise _reject(f"{name} is required")
                continue
            what, ok = CHECKS[check]
            if not ok(p[name]):
                raise _reject(f"{name} must be {what}, got {p[name]!r}")
        if path == "/orders/create" and p.get("RequireConfirmation"):
            raise _reject("RequireConfirmation=true (two-stage) is not simulated: the shop is single-stage")
        if path in ("/orders/create", "/payments/refund") and _receipt_in(p.get("JsonData")) is not None:
            check_receipt(_receipt_in(p["JsonData"]), "JsonData.cloudPayments.customerReceipt", p["Amount"])
        if path == "/kkt/receipt":
            check_receipt(p["CustomerReceipt"])

    def _idempotent(self, path, p, request_id):
        now, fingerprint = time.monotonic(), (path, _dumps(p))
        self._idempotency = {k: v for k, v in self._idempotency.items() if now - v[0] < IDEMPOTENCY_TTL}
        if request_id is None and path in self.require_request_id:
            raise _reject(f"{path} needs an X-Request-ID header, so that a retry cannot act twice")
        if request_id in self._idempotency:
            _, first, answer = self._idempotency[request_id]
            if first != fingerprint:
                self._note_rejection("POST", path, answer[0], f"X-Request-ID {request_id!r} reused for a "
                                     f"different request (first: {first[0]}); TipTop answers the first result", p)
            return copy.deepcopy(answer)
        handler = getattr(self, "_do_" + path.strip("/").replace("/", "_"))
        try:
            answer = (200, _envelope(True, *handler(p)))
        except ApiError as e:
            if e.rejection:
                raise
            answer = (e.status, _envelope(False, e.message))
        if request_id is not None:
            self._idempotency[request_id] = (now, fingerprint, copy.deepcopy(answer))
        return answer

    # -- methods: each returns (Message, Model) or raises ApiError
    def _do_test(self, p):
        return str(uuid.uuid4()), None

    def _do_orders_create(self, p):
        self._link_seq += 1
        lid = _rand(16)
        link = {"Id": lid, "Number": self._link_seq, "Amount": Decimal(p["Amount"]).quantize(CENT),
                "Currency": CURRENCY, "CurrencyCode": CURRENCY_CODE, "Email": p.get("Email"), "Phone": p.get("Phone"),
                "Description": p["Description"], "RequireConfirmation": False,
                "Url": f"{self.base_url}{HOSTED_PATH}{lid}", "CultureName": p.get("CultureName", "ru-RU"),
                **_dates("CreatedDate", _now()), **_dates("PaymentDate", None), "Status": "Created",
                "InvoiceId": p.get("InvoiceId"), "AccountId": p.get("AccountId"),
                "JsonData": _dumps(p["JsonData"]) if p.get("JsonData") is not None else None,
                "SuccessRedirectUrl": p.get("SuccessRedirectUrl"), "FailRedirectUrl": p.get("FailRedirectUrl"),
                "Receipt": _receipt_in(p.get("JsonData")), "Request": p}
        self.links[lid] = link
        return None, {k: link[k] for k in LINK_MODEL_KEYS}

    def _do_orders_cancel(self, p):
        link = self.links.get(p["Id"])
        if link is None:
            raise ApiError("Not found")
        if link["Status"] == "Paid":
            raise ApiError("The order is already paid")
        link["Status"] = "Cancelled"
        return None, None

    def _do_payments_find(self, p):
        found = [t for t in self.transactions.values()
                 if t["InvoiceId"] == p["InvoiceId"] and t["OperationType"] == "Payment"]
        if not found:
            raise ApiError("Not found")
        return None, self._model(found[-1])

    def _do_payments_get(self, p):
        if p["TransactionId"] not in self.transactions:
            raise ApiError("Not found")
        return None, self._model(self.transactions[p["TransactionId"]])

    def _do_payments_refund(self, p):
        refund = self._refund(p["TransactionId"], Decimal(p["Amount"]).quantize(CENT), p.get("JsonData"))
        return None, {"TransactionId": refund["TransactionId"]}

    def _do_kkt_receipt(self, p):
        receipt = self._receipt(p["Type"], p["CustomerReceipt"], p.get("InvoiceId"), p.get("AccountId"), None,
                                p["Inn"], "kkt/receipt")
        self.outbox.append(("receipt", receipt))
        return KKT_MESSAGE, {"Id": receipt["Id"], "ErrorCode": None}

    def _do_kkt_receipt_status_get(self, p):
        return None, "Processed" if any(r["Id"] == p["Id"] for r in self.receipts) else "NotFound"

    # -- state
    @staticmethod
    def _model(tx):
        return {k: v for k, v in copy.deepcopy(tx).items() if k != "LinkId"}

    def _find_link(self, ref):
        if ref in self.links:
            return self.links[ref]
        found = [lk for lk in self.links.values() if lk["InvoiceId"] == ref]
        if not found:
            raise KeyError(f"no link with Id or InvoiceId {ref!r}")
        return next((lk for lk in reversed(found) if lk["Status"] == "Created"), found[-1])

    def _next_tx_id(self) -> int:
        self._tx_seq += 1
        return self._tx_seq

    def _payment(self, link, card, exp, name) -> dict:
        return {
            "TransactionId": self._next_tx_id(), "Amount": link["Amount"], "Currency": CURRENCY,
            "CurrencyCode": CURRENCY_CODE, "PaymentAmount": link["Amount"], "PaymentCurrency": CURRENCY,
            "InvoiceId": link["InvoiceId"], "AccountId": link["AccountId"], "Email": link["Email"],
            "Description": link["Description"], "JsonData": link["JsonData"], **_dates("CreatedDate", _now()),
            **_dates("AuthDate", None), **_dates("ConfirmDate", None), "AuthCode": None, "TestMode": True,
            "Rrn": None, "IpAddress": "127.0.0.1", "IpCountry": "KZ", "CardFirstSix": card[:6],
            "CardLastFour": card[-4:], "CardExpDate": exp, "CardType": TEST_CARDS[card][0], "Issuer": "TipTop Pay",
            "IssuerBankCountry": "KZ", "Status": "AwaitingAuthentication", "StatusCode": None, "Reason": None,
            "ReasonCode": None, "CardHolderMessage": None, "Refunded": False, "Name": name, "Token": None,
            "SubscriptionId": None, "GatewayName": "Test", "TotalFee": Decimal("0.00"), "OperationType": "Payment",
            "OriginalTransactionId": None, "LinkId": link["Id"]}

    def _settle(self, tx, reason_code) -> dict | None:
        """Approve (0) or decline the payment; returns the sale receipt an approved payment issues, if any."""
        now = _now()
        if reason_code:
            reason, message = DECLINES.get(reason_code, ("Declined", "Платёж отклонён"))
            tx.update(Status="Declined", StatusCode=5, Reason=reason, ReasonCode=reason_code,
                      CardHolderMessage=message, Rrn=_rand(12, string.digits))
            return None
        tx.update(Status="Completed", StatusCode=3, Reason="Approved", ReasonCode=0, AuthCode=_rand(6).upper(),
                  CardHolderMessage="Оплата успешно проведена", Token=f"tk_{_rand(24)}", Rrn=_rand(12, string.digits),
                  **_dates("AuthDate", now), **_dates("ConfirmDate", now))
        link = self.links.get(tx["LinkId"])
        if link is None:
            return None
        link.update(Status="Paid", **_dates("PaymentDate", now))
        if SALE_RECEIPT_FROM_LINK and link["Receipt"]:
            return self._receipt("Income", link["Receipt"], tx["InvoiceId"], tx["AccountId"], tx["TransactionId"],
                                 self.inn, "orders/create")
        return None

    def _remaining(self, payment) -> Decimal:
        refunded = sum((t["Amount"] for t in self.transactions.values()
                        if t["OriginalTransactionId"] == payment["TransactionId"]), Decimal(0))
        return Decimal(payment["Amount"]) - refunded

    def _refund(self, transaction_id, amount, json_data, queue=True) -> dict:
        payment = self.transactions.get(transaction_id)
        if payment is None:
            raise ApiError(f"Transaction {transaction_id} not found")
        if payment["OperationType"] != "Payment" or payment["Status"] != "Completed":
            raise ApiError(f"Transaction {transaction_id} is not a completed payment")
        remaining = self._remaining(payment)
        if amount > remaining:
            raise ApiError(f"The refund amount {amount} exceeds what remains of the payment ({remaining})")
        refund = dict(payment, TransactionId=self._next_tx_id(), Amount=amount, PaymentAmount=amount,
                      **_dates("CreatedDate", _now()), Status="Completed", StatusCode=3, OperationType="Refund",
                      OriginalTransactionId=transaction_id, Refunded=False, Rrn=_rand(12, string.digits))
        self.transactions[refund["TransactionId"]] = refund
        payment["Refunded"] = remaining == amount
        if queue:
            self.outbox.append(("refund", refund))
        lines = _receipt_in(json_data)
        if lines is not None:
            self.outbox.append(("receipt", self._receipt("IncomeReturn", lines, payment["InvoiceId"],
                                                         payment["AccountId"], refund["TransactionId"], self.inn,
                                                         "payments/refund")))
        return refund

    def _receipt(self, type_, customer_receipt, invoice_id, account_id, transaction_id, inn, source) -> dict:
        folded = {k.lower(): v for k, v in customer_receipt.items()}
        items = [{k.lower(): v for k, v in item.items()} for item in folded["items"]]
        rid, n = str(uuid.uuid4()), len(self.receipts) + 1
        receipt = {
            "Id": rid, "Type": type_, "Inn": inn, "InvoiceId": invoice_id, "AccountId": account_id,
            "TransactionId": transaction_id, "Amount": sum((i["amount"] for i in items), Decimal(0)).quantize(CENT),
            "Items": items, "Receipt": customer_receipt, "Source": source,
            "Status": "Processed", "DateTime": _now().strftime("%Y-%m-%d %H:%M:%S"), "DocumentNumber": n,
            "SessionNumber": 1, "Number": n, "FiscalSign": _rand(10, string.digits),
            "DeviceNumber": "0000000000001", "RegNumber": "000000000000000",
            "FiscalNumber": _rand(16, string.digits), "Ofd": "Test OFD", "Url": f"{self.base_url}/receipt/{rid}",
            "QrCodeUrl": f"{self.base_url}/receipt/{rid}/qr",
            "CalculationPlace": folded.get("calculationplace"), "CashierName": folded.get("cashiername"),
            "SettlePlace": None}
        self.receipts.append(receipt)
        return receipt

    # -- notifications
    def _record(self, kind, ref) -> dict:
        if isinstance(ref, dict):
            return ref
        if ref is None:  # a sample, stored nowhere
            link = {"Id": None, "Amount": Decimal("4500.00"), "InvoiceId": "A-1042", "AccountId": "cust-77",
                    "Email": "buyer@farm.kz", "Description": "Заказ A-1042", "JsonData": '{"order":"A-1042"}'}
            tx = self._payment(link, DEFAULT_CARD, "12/30", "TEST CARDHOLDER")
            tx.update(Status="Completed", StatusCode=3, Reason="Approved", ReasonCode=0, AuthCode="A1B2C3")
            if kind == "fail":
                tx.update(Status="Declined", StatusCode=5, Reason=DECLINES[5051][0], ReasonCode=5051)
            if kind == "refund":
                tx.update(OriginalTransactionId=tx["TransactionId"], TransactionId=self._next_tx_id())
            if kind == "receipt":
                items = [{"label": "Мёд, 1 кг", "price": 4500, "quantity": 1, "amount": 4500, "vat": None}]
                return {**{k: None for k in RECEIPT_NOTIFICATION_KEYS}, "Id": str(uuid.uuid4()), "Type": "Income",
                        "Inn": self.inn, "TransactionId": tx["TransactionId"], "Amount": Decimal("4500.00"),
                        "DateTime": _now().strftime("%Y-%m-%d %H:%M:%S"), "InvoiceId": "A-1042",
                        "AccountId": "cust-77", "Receipt": {"Items": items}}
            return tx
        if kind == "receipt":
            return next(r for r in self.receipts if r["Id"] == ref)
        return self.transactions[ref]

    @staticmethod
    def _fields(kind, t) -> dict:
        """The notification's fields in TipTop's order (§4.3-4.7, §6.3), values not yet rendered."""
        if kind == "receipt":
            return {k: t.get(k) for k in RECEIPT_NOTIFICATION_KEYS}
        f = {"TransactionId": t["TransactionId"], "Amount": t["Amount"]}
        when = (t["CreatedDateIso"] or "").replace("T", " ")
        if kind in ("check", "pay", "fail"):
            f.update(Currency=t["Currency"], PaymentAmount=t["PaymentAmount"], PaymentCurrency=t["PaymentCurrency"],
                     DateTime=when, CardFirstSix=t["CardFirstSix"], CardLastFour=t["CardLastFour"],
                     CardType=t["CardType"], CardExpDate=t["CardExpDate"], TestMode=t["TestMode"])
            if kind != "fail":
                f["Status"] = "Completed" if kind == "check" else t["Status"]
            f["OperationType"] = "Payment"
            if kind == "pay":
                f["GatewayName"] = t["GatewayName"]
            for k in ("InvoiceId", "AccountId", "SubscriptionId", "Name", "Email", "IpAddress", "IpCountry",
                      "Issuer", "IssuerBankCountry", "Description"):
                f[k] = t[k]
            extra = {"pay": ("AuthCode", "Token", "TotalFee", "Rrn"), "fail": ("Reason", "ReasonCode", "Rrn")}
            f.update({k: t[k] for k in extra.get(kind, ())})
        elif kind == "refund":
            f.update(PaymentTransactionId=t["OriginalTransactionId"], DateTime=when, OperationType="Refund",
                     InvoiceId=t["InvoiceId"], AccountId=t["AccountId"], Email=t["Email"], Rrn=t["Rrn"])
        else:  # cancel
            f.update(DateTime=when, InvoiceId=t["InvoiceId"], AccountId=t["AccountId"], Email=t["Email"],
                     Rrn=t["Rrn"])
        f["Data"] = t["JsonData"]
        return f

    # -- the hosted payment page
    def _hosted(self, method, link_id, body: bytes):
        """(status, HTML, redirect location) for GET/POST on a link's Url."""
        with self._lock:
            link = copy.deepcopy(self.links.get(link_id))
        if link is None:
            return 404, _page("Not found", "<p>No such payment link.</p>"), None
        if link["Status"] != "Created":
            return 409, _page(link["Description"], f"<p>This order is {link['Status']}.</p>"), None
        if method == "GET":
            return 200, _card_form(link), None
        if method != "POST":
            return 405, _page("Method not allowed", ""), None
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        card = re.sub(r"\D", "", form.get("card", ""))
        if card not in TEST_CARDS:
            return 200, _card_form(link, "Use one of the test cards."), None
        if not self.notify_base:
            return 500, _page("Stub misconfigured", "<p>Set stub.notify_base to the shop's base URL.</p>"), None
        tx = self.pay(link_id, http_deliver(self.notify_base), card, exp=form.get("exp") or "12/30",
                      name=form.get("name") or "TEST CARDHOLDER")
        target = link["SuccessRedirectUrl"] if tx["Status"] == "Completed" else link["FailRedirectUrl"]
        if target:
            return 303, "", target
        return 200, _page(link["Description"], f"<p>Payment {html.escape(tx['Status'])}.</p>"), None


def _page(title: str, content: str) -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
            f'<title>{html.escape(title)}</title></head>'
            f"<body><h1>{html.escape(title)}</h1>{content}</body></html>")


def _card_form(link: dict, error: str = "") -> str:
    cards = "".join(f"<li><code>{n}</code> {t}, {'success' if c == 0 else 'declined'}</li>"
                    for n, (t, c) in TEST_CARDS.items())
    return _page(link["Description"], (
        f'<p class="amount">{link["Amount"]:.2f} {CURRENCY}</p>'
        + (f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "")
        + '<form method="post"><label>Card number <input name="card" value="" autocomplete="cc-number"></label>'
        '<label>Expiry <input name="exp" value="12/30"></label><label>CVV <input name="cvv" value="123"></label>'
        '<label>Name <input name="name" value="TEST CARDHOLDER"></label>'
        f'<button type="submit">Pay</button></form><ul class="test-cards">{cards}</ul>'))
