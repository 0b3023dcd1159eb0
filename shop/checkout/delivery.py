"""Delivery methods and their fees, configurable per shop."""
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

LABELS = {
    "pickup": _l("Pickup at the farm in Almaty"),
    "courier": _l("Courier in Almaty"),
    "post": _l("KazPost to the regions"),
}


@dataclass(frozen=True)
class DeliveryOption:
    code: str
    label: str
    fee_minor: int


def delivery_fee(method: str, *, needs_delivery: bool) -> int:
    """Return the fee in tiyn; a cart of course seats alone ships nothing and costs nothing."""
    if not needs_delivery or method == "pickup":
        return 0
    return {"courier": current_app.config["DELIVERY_FEE_COURIER"], "post": current_app.config["DELIVERY_FEE_POST"]}[method]


def delivery_options() -> list[DeliveryOption]:
    """Return the methods in the order the checkout offers them."""
    return [DeliveryOption(code, str(LABELS[code]), delivery_fee(code, needs_delivery=True)) for code in LABELS]
