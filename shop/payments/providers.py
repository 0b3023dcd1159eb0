"""The payment methods the configuration offers, each behind the one `Gateway` interface."""
from collections.abc import Mapping

from flask import current_app

from .dummy_gateway import DummyGateway
from .free_gateway import FreeGateway
from .gateway import Gateway
from .kaspi_gateway import KaspiGateway
from .stripe_gateway import StripeGateway
from .tiptoppay_gateway import TipTopGateway


def enabled_methods(config: Mapping | None = None) -> tuple[str, ...]:
    """Return the methods offered at checkout, in order (``PAYMENT_METHODS``)."""
    return tuple((config or current_app.config)["PAYMENT_METHODS"])


def gateway_for(method: str, config: Mapping | None = None) -> Gateway:
    """Return the adapter of ``method``, configured; an unknown method is a programming error."""
    config = config or current_app.config
    if method == "stripe":
        return StripeGateway(config["STRIPE_SECRET_KEY"], api_base=config["STRIPE_API_BASE"])
    if method == "tiptoppay":
        vat = config["TIPTOPPAY_VAT_RATE"]
        return TipTopGateway(config["TIPTOPPAY_PUBLIC_ID"] or "", config["TIPTOPPAY_API_SECRET"] or "",
                             api_base=config["TIPTOPPAY_API_BASE"], vat_rate=int(vat) if vat else None,
                             inn=config["TIPTOPPAY_INN"], taxation_system=config["TIPTOPPAY_TAXATION_SYSTEM"])
    if method == "kaspi":
        return KaspiGateway(hold_minutes=config["KASPI_HOLD_MINUTES"])
    if method == "dummy":
        return DummyGateway()
    if method == "free":  # never offered: an order with nothing to pay (`orders.free`)
        return FreeGateway()
    raise ValueError(f"unknown payment method {method!r}")


def get_gateway(config: Mapping | None = None) -> Gateway:
    """Return the first method's adapter (the one a single-method shop uses)."""
    return gateway_for(enabled_methods(config)[0], config)
