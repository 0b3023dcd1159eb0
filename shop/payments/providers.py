"""Choosing the payment provider the configuration names, behind the one `Gateway` interface."""
from flask import Flask, current_app

from .dummy_gateway import DummyGateway
from .gateway import Gateway
from .stripe_gateway import StripeGateway


def get_gateway(app: Flask | None = None) -> Gateway:
    """Return the provider the configuration names (``PAYMENT_PROVIDER``)."""
    config = (app or current_app).config
    if config["PAYMENT_PROVIDER"] == "stripe":
        return StripeGateway(config["STRIPE_SECRET_KEY"], api_base=config["STRIPE_API_BASE"])
    return DummyGateway()
