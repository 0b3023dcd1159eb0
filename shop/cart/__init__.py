"""The cart: what a visitor is about to buy, priced by the server."""
