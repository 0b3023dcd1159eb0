"""The totals the checkout page shows before paying: for each delivery method, what the buyer will pay."""
from dataclasses import dataclass
from datetime import datetime

from ..cart.services import CartSummary
from ..models import Cart
from ..promo.services import Quote, quote
from ..settings import CheckoutRules
from .delivery import LABELS


@dataclass(frozen=True)
class Totals:
    """Subtotal, delivery fee, discount and grand total of the cart sent by one delivery method."""

    subtotal_minor: int
    fee_minor: int
    discount_minor: int

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor + self.fee_minor - self.discount_minor


def checkout_totals(cart: Cart | None, summary: CartSummary, rules: CheckoutRules, now: datetime
                    ) -> tuple[dict[str, Totals], Quote | None]:
    """Return the totals by delivery method (only "pickup" when nothing is delivered) and the cart's code."""
    methods = LABELS if summary.needs_delivery else ("pickup",)
    totals, promo = {}, None
    for method in methods:
        fee = rules.delivery_fee(method, needs_delivery=summary.needs_delivery)
        promo = quote(cart, summary, now, delivery_fee_minor=fee)
        totals[method] = Totals(summary.subtotal_minor, fee, promo.discount_minor if promo else 0)
    return totals, promo
