"""Promo codes: the rules of a discount, a cart's code, and an order's redemption."""
