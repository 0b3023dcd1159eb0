"""What the shop says before checkout: how one pays (the methods offered) and how and when a kit arrives."""
from dataclasses import dataclass

from ..checkout.delivery import DeliveryOption, delivery_options
from ..payments.methods import MethodChoice, method_choices
from ..settings import CheckoutRules


@dataclass(frozen=True)
class HowToBuy:
    methods: list[MethodChoice]  # the methods offered at checkout, in order, with a line on how each works
    delivery: list[DeliveryOption]  # each delivery method with its fee and when a kit arrives


def how_to_buy(rules: CheckoutRules, methods: tuple[str, ...], locale: str) -> HowToBuy:
    """Return the payment methods offered and the delivery methods with their fees and times."""
    return HowToBuy(method_choices(methods), delivery_options(rules, locale))
