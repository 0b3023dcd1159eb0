"""The payment methods as people know them: their names and one line on how the payment happens."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

NAMES = {
    "tiptoppay": _l("Bank card (TipTop Pay)"),
    "kaspi": _l("Kaspi.kz"),
    "stripe": _l("Card issued abroad (Stripe)"),
    "dummy": _l("Test payment"),
    "free": _l("No payment needed"),  # never offered: a promo code covered the whole order
}
HOW = {
    "tiptoppay": _l("Visa or Mastercard on TipTop Pay's secure page; the fiscal receipt comes by e-mail."),
    "kaspi": _l("We send an invoice to your Kaspi app; pay it there within the time we hold your order."),
    "stripe": _l("Any card on Stripe's secure page, for buyers abroad."),
    "dummy": _l("A test page of the shop: no money moves."),
}
# What staff see: the provider's own name, never the code
PROVIDER_NAMES = {"tiptoppay": "TipTop Pay", "kaspi": "Kaspi", "stripe": "Stripe", "dummy": _l("test payments"),
                  "free": _l("No payment needed")}


@dataclass(frozen=True)
class MethodChoice:
    code: str
    name: str
    how: str


def method_choices(methods: tuple[str, ...]) -> list[MethodChoice]:
    """Return the enabled methods, in the configured order, with their names and explanations."""
    return [MethodChoice(code, str(NAMES[code]), str(HOW[code])) for code in methods if code in HOW]


def provider_name(code: str) -> str:
    """Return a provider's name as people know it (for staff pages, e-mails and buttons)."""
    return str(PROVIDER_NAMES.get(code, code))
