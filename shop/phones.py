"""Kazakh phone numbers written one way: +7 7XX XXX XX XX."""
import re

_ALLOWED = re.compile(r"\A\+?[0-9 ()\-]+\Z")


class InvalidPhone(ValueError):
    """Not a Kazakh phone number."""


def normalise_phone(raw: str) -> str:
    """Return a Kazakh number as ``+7 7XX XXX XX XX``; raise InvalidPhone for anything else.

    Accepts the ways people write one: ``8 7XX…`` (the old trunk prefix), ``7XX…`` (ten digits), ``+7 7XX…``
    or ``7 7XX…``, with spaces, dashes and brackets. Kazakh numbers (mobile and city alike) begin 7 after the
    country code, so a Russian ``+7 9XX…`` or a number of another length is refused.
    """
    text = str(raw or "").strip()
    if not text or not _ALLOWED.match(text) or text.count("+") > 1:
        raise InvalidPhone(raw)
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78" and not (text.startswith("+") and digits[0] == "8"):
        digits = digits[1:]
    elif len(digits) != 10 or text.startswith("+"):
        raise InvalidPhone(raw)
    if digits[0] != "7":
        raise InvalidPhone(raw)
    return f"+7 {digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}"


def dial_digits(phone: str | None) -> str:
    """Return a Kazakh number as its eleven digits (``77012345678``) to dial or message; "" if it is none.

    Orders placed before the checkout normalised phones may hold a number written any way, or another
    country's; those get no link rather than a wrong one.
    """
    try:
        return normalise_phone(phone or "").replace("+", "").replace(" ", "")
    except InvalidPhone:
        return ""
