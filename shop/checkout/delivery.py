"""Delivery methods as the checkout offers them, with their fees from the shop's rules."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..orders.status import DELIVERY_LABELS as LABELS
from ..settings import CheckoutRules

# When a kit arrives by each method (the delivery and payment page says the same at length)
TIMES = {
    "pickup": _l("ready the next working day"),
    "courier": _l("in 1–2 working days"),
    "post": _l("in 3–10 working days"),
}


@dataclass(frozen=True)
class DeliveryOption:
    code: str
    label: str
    fee_minor: int
    when: str = ""


def delivery_label(code: str, rules: CheckoutRules, locale: str) -> str:
    """Return a method's name; the courier's names the cities it serves when they are not just Almaty."""
    if code == "courier" and rules.courier_cities != ("almaty",):
        return str(_l("Courier in %(cities)s", cities=rules.courier_city_names(locale)))
    return str(LABELS[code])


def delivery_options(rules: CheckoutRules, locale: str) -> list[DeliveryOption]:
    """Return the methods in the order the checkout offers them."""
    return [DeliveryOption(code, delivery_label(code, rules, locale), rules.delivery_fee(code, needs_delivery=True),
                           str(TIMES[code])) for code in LABELS]
