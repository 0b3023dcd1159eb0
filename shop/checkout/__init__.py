"""Checkout: the buyer's details, then the hand-over of the cart to an order and its payment."""
