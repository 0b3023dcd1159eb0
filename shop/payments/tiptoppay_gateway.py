"""TipTop Pay (the CloudPayments API on api.tiptoppay.kz): payment links, their status, refunds, receipts.

Reference: shared/tiptoppay/PROTOCOL.md (section numbers below are its). Every call is a JSON POST with HTTP
Basic auth (Public ID / API Secret); mutating calls carry ``X-Request-ID`` so that a retry acts once (§2).
Amounts travel as exact decimal tenge with two decimals, never floats; the shop keeps integer tiyn.
Any failure to get a well-formed, successful answer is logged (without secrets, card data or bodies) and
raised as PaymentFailed. This module never changes an order: it only tells the caller what TipTop said.
"""
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import PaymentFailed
from ..mail.compose import external_url
from ..models import Order
from .gateway import CheckoutStart, SessionState

logger = logging.getLogger("shop.tiptoppay")

DEFAULT_API_BASE = "https://api.tiptoppay.kz"
CURRENCY = "KZT"
VAT_RATES = (None, 0, 12, 16)  # None = without VAT; 12 % today, 16 % under the 2026 tax code (§6.1, §8.9)
LABEL_MAX = 128  # longest receipt line label the cash register takes
METHOD_FULL_SETTLEMENT = 4  # §6.1 "method"
OBJECT_GOODS, OBJECT_SERVICE = 1, 4  # §6.1 "object"
DELIVERY_LABEL = "Доставка / Delivery"
CULTURES = {"ru": "ru-RU", "kk": "kk", "en": "en-US"}
DESCRIPTIONS = {"ru": "City Farm, заказ {}", "kk": "City Farm, тапсырыс {}", "en": "City Farm, order {}"}


# ---------------------------------------------------------------- money and receipt lines (pure)
def to_tenge(amount_minor: int) -> Decimal:
    """Return tiyn as exact decimal tenge with two decimals: 1999 -> Decimal("19.99")."""
    return Decimal(int(amount_minor)).scaleb(-2)


def to_minor(amount: Any) -> int:
    """Return tiyn for a TipTop amount (number or numeric string); ValueError unless whole tiyn exactly."""
    if isinstance(amount, bool) or not isinstance(amount, (int, str, Decimal)):
        raise ValueError(f"not an amount: {amount!r}")
    try:
        minor = Decimal(amount).scaleb(2)
        if minor.is_finite() and minor == minor.to_integral_value():
            return int(minor)
    except InvalidOperation:
        pass
    raise ValueError(f"not an amount in whole tiyn: {amount!r}")


@dataclass(frozen=True)
class ReceiptLine:
    """One line of a fiscal receipt: ``amount_minor`` is the line total after its discount.

    ``vat`` is the rate the line was sold at (None: without VAT): a return receipt must repeat it.
    """

    name: str
    unit_price_minor: int
    quantity: int
    amount_minor: int
    vat: int | None = None
    is_service: bool = False

    def __post_init__(self) -> None:
        if self.quantity <= 0 or self.unit_price_minor < 0:
            raise ValueError(f"receipt line {self.name!r}: quantity must be > 0 and the price >= 0")
        if not 0 <= self.amount_minor <= self.unit_price_minor * self.quantity:
            raise ValueError(f"receipt line {self.name!r}: amount must be between 0 and price x quantity")
        if self.vat not in VAT_RATES:
            raise ValueError(f"VAT rate must be one of {VAT_RATES}, got {self.vat!r}")

    def as_item(self) -> dict:
        """Return the line as a receipt item of §6.1."""
        return {"label": (self.name.strip() or "Товар / Item")[:LABEL_MAX], "price": to_tenge(self.unit_price_minor),
                "quantity": self.quantity, "amount": to_tenge(self.amount_minor), "vat": self.vat,
                "method": METHOD_FULL_SETTLEMENT, "object": OBJECT_SERVICE if self.is_service else OBJECT_GOODS}


def spread(discount_minor: int, amounts: list[int]) -> list[int]:
    """Split ``discount_minor`` over ``amounts`` in proportion, to the tiyn (largest remainder first)."""
    total = sum(amounts)
    if not 0 <= discount_minor <= total:
        raise ValueError(f"a discount of {discount_minor} tiyn cannot be spread over lines worth {total}")
    if discount_minor == 0:
        return [0] * len(amounts)
    shares = [discount_minor * amount // total for amount in amounts]
    by_remainder = sorted(range(len(amounts)), key=lambda i: -(discount_minor * amounts[i] % total))
    for i in by_remainder[:discount_minor - sum(shares)]:
        shares[i] += 1
    return shares


def receipt_lines(order: Order, *, vat_rate: int | None,
                  discounts_minor: dict[int, int] | None = None) -> list[ReceiptLine]:
    """Return the receipt lines of ``order``: its lines, then delivery; they sum to ``order.total_minor``.

    ``discounts_minor`` (order line id -> tiyn) lowers each line's amount, its price staying the unit price.
    Should the lines still exceed the total (an order-wide discount), the excess is spread over the goods
    lines in proportion; a total above the lines is an error, as nothing may be invented on a receipt.
    """
    discounts = discounts_minor or {}
    goods = []
    for line in order.lines:
        gross = line.unit_price_minor * line.quantity
        discount = discounts.get(line.id, 0)
        if not 0 <= discount <= gross:
            raise ValueError(f"the discount on line {line.id} must be between 0 and {gross} tiyn")
        goods.append((line, gross - discount))
    delivery_discount = getattr(order, "delivery_discount_minor", 0) or 0  # None on an order not yet flushed
    delivery = order.delivery_fee_minor - delivery_discount
    excess = sum(amount for _, amount in goods) + delivery - order.total_minor
    if excess < 0:
        raise ValueError(f"order {order.public_id}: the total exceeds its lines by {-excess} tiyn")
    shares = spread(excess, [amount for _, amount in goods])
    lines = [ReceiptLine(line.name, line.unit_price_minor, line.quantity, amount - share, vat_rate,
                         is_service=getattr(line, "cohort_id", None) is not None)
             for (line, amount), share in zip(goods, shares, strict=True)]
    if order.delivery_fee_minor:
        fee = order.delivery_fee_minor
        lines.append(ReceiptLine(DELIVERY_LABEL, fee, 1, fee - delivery_discount, vat_rate, is_service=True))
    return lines


def customer_receipt(lines: list[ReceiptLine], *, email: str, taxation_system: int, pascal: bool) -> dict:
    """Return a customer receipt (§6) paid fully by card; PascalCase keys for kkt/receipt (§6.2)."""
    items = [line.as_item() for line in lines]
    paid = to_tenge(sum(line.amount_minor for line in lines))
    if pascal:
        return {"Items": items, "TaxationSystem": taxation_system, "Email": email, "Amounts": {"Electronic": paid}}
    return {"Items": items, "taxationSystem": taxation_system, "email": email, "amounts": {"electronic": paid}}


def dumps(value: Any) -> str:
    """JSON with Decimals written as exact numbers (``json`` would need floats, which round big amounts)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- the adapter
class TipTopGateway:
    """Opens hosted payment pages (payment links), asks for their payments, cancels them, refunds, issues
    return receipts. ``inn`` is the seller's 12-digit BIN/IIN, needed only for ``return_receipt``."""

    name = "tiptoppay"
    min_hold_minutes = 0  # links take no expiry: the shop cancels them itself (expire)
    refunds_by_hand = False
    instructions_email = None

    def __init__(self, public_id: str, api_secret: str, *, api_base: str = DEFAULT_API_BASE,
                 vat_rate: int | None = None, timeout: float = 10, inn: str = "", taxation_system: int = 0):
        if vat_rate not in VAT_RATES:
            raise ValueError(f"VAT rate must be one of {VAT_RATES}, got {vat_rate!r}")
        self.api_base = api_base.rstrip("/")
        self.vat_rate, self.inn, self.taxation_system = vat_rate, inn, taxation_system
        self.timeout = (min(timeout, 5), timeout)  # connect, read: a dead host is given up on sooner
        self.session = requests.Session()
        self.session.auth = (public_id, api_secret)
        # Connection failures happen before anything is sent, and 429 means "not processed": both are safe
        # to try again (every mutating call is idempotent by X-Request-ID). Read timeouts are not retried.
        retry = Retry(total=2, connect=1, read=0, status=2, other=0, status_forcelist=(429,),
                      allowed_methods=frozenset({"POST"}), backoff_factor=0.2, raise_on_status=False)
        self.session.mount(self.api_base, HTTPAdapter(max_retries=retry))

    def _post(self, path: str, payload: dict, *, request_id: str | None = None) -> dict:
        """POST ``payload`` to ``path``; return the decoded envelope. PaymentFailed unless HTTP 200 + JSON."""
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if request_id:
            headers["X-Request-ID"] = request_id
        try:
            response = self.session.post(self.api_base + path, data=dumps(payload).encode("utf-8"),
                                         headers=headers, timeout=self.timeout)
        except requests.RequestException as error:
            logger.warning("TipTop Pay %s could not be reached: %s", path, type(error).__name__)
            raise PaymentFailed() from error
        if response.status_code != 200:
            logger.warning("TipTop Pay %s answered HTTP %s", path, response.status_code)
            raise PaymentFailed()
        try:
            envelope = json.loads(response.content, parse_float=Decimal)
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("Success"), bool):
            logger.warning("TipTop Pay %s answered something that is not its JSON envelope", path)
            raise PaymentFailed()
        return envelope

    def _model(self, path: str, payload: dict, *, request_id: str | None = None) -> dict:
        """POST and return ``Model``; PaymentFailed when Success is false or Model is not an object."""
        envelope = self._post(path, payload, request_id=request_id)
        if not envelope["Success"]:
            logger.warning("TipTop Pay %s refused: %s", path, _message(envelope))
            raise PaymentFailed()
        model = envelope.get("Model")
        if not isinstance(model, dict):
            logger.warning("TipTop Pay %s answered Success without a Model", path)
            raise PaymentFailed()
        return model

    def create_checkout(self, order: Order, *, expires_at: datetime) -> CheckoutStart:
        """Create a payment link for ``order`` with its receipt (§3.2); one link per order, however often asked.

        ``expires_at`` is not sent: TipTop links take no expiry, the shop cancels them with ``expire``.
        """
        if order.total_minor <= 0:
            logger.warning("order %s has nothing to pay; no TipTop Pay link made", order.public_id)
            raise PaymentFailed()
        lines = receipt_lines(order, vat_rate=self.vat_rate,
                              discounts_minor={line.id: line.discount_minor or 0 for line in order.lines})
        receipt = customer_receipt(lines, email=order.email, taxation_system=self.taxation_system, pascal=False)
        payload = {
            "Amount": to_tenge(order.total_minor), "Currency": CURRENCY,
            "Description": DESCRIPTIONS.get(order.locale, DESCRIPTIONS["ru"]).format(order.public_id),
            "Email": order.email, "InvoiceId": order.public_id, "AccountId": order.email,
            "RequireConfirmation": False, "SendEmail": False, "CultureName": CULTURES.get(order.locale, "ru-RU"),
            "SuccessRedirectUrl": external_url("payments.success", locale=order.locale, order=order.public_id),
            "FailRedirectUrl": external_url("payments.cancelled", locale=order.locale, order=order.public_id),
            "JsonData": {"order": order.public_id, "cloudPayments": {"customerReceipt": receipt}},
        }
        model = self._model("/orders/create", payload, request_id=f"orders-create-{order.public_id}")
        link_id, url = model.get("Id"), model.get("Url")
        if not (isinstance(link_id, str) and link_id and isinstance(url, str) and url.startswith(("https://", "http://"))):
            logger.warning("TipTop Pay orders/create answered without a link Id and Url")
            raise PaymentFailed()
        return CheckoutStart(link_id, url)

    def retrieve(self, reference: str, *, order_public_id: str = "") -> SessionState:
        """Ask for the latest payment of the order (TipTop's InvoiceId) that link ``reference`` was made for.

        payments/find searches by InvoiceId only, so the order's public id is what is asked about (the link
        Id when no order is named). "Not found" means nobody has tried to pay yet. ``is_expired`` is always
        False: links have no known lifetime.
        """
        reference = order_public_id or reference
        envelope = self._post("/payments/find", {"InvoiceId": reference})
        model = envelope.get("Model")
        if not isinstance(model, dict):
            if not envelope["Success"] and "not found" in _message(envelope).lower():
                return SessionState(reference, reference, False, False, "", 0)
            logger.warning("TipTop Pay payments/find refused: %s", _message(envelope))
            raise PaymentFailed()
        try:
            transaction_id = _transaction_id(model.get("TransactionId"))
            amount_minor = to_minor(model.get("Amount"))
            if model.get("Currency") != CURRENCY:
                raise ValueError(f"currency {model.get('Currency')!r}")
        except ValueError as error:
            logger.warning("TipTop Pay payments/find answered a malformed transaction: %s", error)
            raise PaymentFailed() from error
        invoice = model.get("InvoiceId") if isinstance(model.get("InvoiceId"), str) else reference
        return SessionState(reference, invoice, model.get("Status") == "Completed", False, transaction_id,
                            amount_minor)

    def expire(self, reference: str) -> None:
        """Cancel payment link ``reference`` (§3.3); a link already paid, cancelled or unknown is no error."""
        envelope = self._post("/orders/cancel", {"Id": reference}, request_id=f"orders-cancel-{reference}")
        if not envelope["Success"]:
            # A paid link cannot be cancelled, and then the payment stands; Check refuses a late one anyway.
            logger.info("TipTop Pay did not cancel link %s: %s", reference, _message(envelope))

    def refund(self, payment_intent: str, amount_minor: int, *, idempotency_key: str) -> str:
        """Refund ``amount_minor`` of payment TransactionId ``payment_intent`` (§3.6); return the refund's id."""
        try:
            transaction_id = int(_transaction_id(payment_intent))
        except ValueError as error:
            logger.warning("cannot refund through TipTop Pay: %s", error)
            raise PaymentFailed() from error
        if amount_minor <= 0:
            raise ValueError("a refund must be at least 1 tiyn")
        model = self._model("/payments/refund", {"TransactionId": transaction_id, "Amount": to_tenge(amount_minor)},
                            request_id=idempotency_key)
        try:
            return _transaction_id(model.get("TransactionId"))
        except ValueError as error:
            # The money may have moved: the Refund notification will bring the shop up to date.
            logger.error("TipTop Pay refunded payment %s without naming the refund", transaction_id)
            raise PaymentFailed() from error

    def return_receipt(self, lines: list[ReceiptLine], *, email: str, idempotency_key: str,
                       invoice_id: str | None = None) -> str:
        """Issue an IncomeReturn receipt of exactly ``lines`` (§6.2); return TipTop's receipt Id."""
        if not lines:
            raise ValueError("a return receipt needs at least one line")
        if not self.inn:
            logger.error("TipTop Pay return receipt not issued: the seller's INN (BIN) is not configured")
            raise PaymentFailed()
        payload = {"Inn": self.inn, "Type": "IncomeReturn",
                   "CustomerReceipt": customer_receipt(lines, email=email, taxation_system=self.taxation_system,
                                                       pascal=True)}
        if invoice_id:
            payload["InvoiceId"] = invoice_id
        receipt_id = self._model("/kkt/receipt", payload, request_id=idempotency_key).get("Id")
        if not isinstance(receipt_id, (str, int)) or isinstance(receipt_id, bool) or receipt_id == "":
            logger.warning("TipTop Pay kkt/receipt answered without a receipt Id")
            raise PaymentFailed()
        return str(receipt_id)


def _transaction_id(value: Any) -> str:
    """A TransactionId (a positive integer, or its digits) as a string; ValueError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.isdigit() and value.isascii() and int(value) > 0:
        return str(int(value))
    raise ValueError(f"not a TipTop TransactionId: {value!r}")


def _message(envelope: dict) -> str:
    """TipTop's Message, shortened for the log."""
    return str(envelope.get("Message") or "(no message)")[:200]
