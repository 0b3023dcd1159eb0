"""Accounts: registration, sign-in, password reset and the account page."""
