"""Money as integers in minor units (tiyn); formatting happens only here, at the edge."""
import re
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_symbol
from flask_babel import lazy_gettext as _l

CURRENCY = "KZT"


@lru_cache(maxsize=4096)  # a page shows the same few prices over and over; Babel formats each in ~50 µs
def format_money(amount_minor: int, locale: str = "ru") -> str:
    """Format tiyn for people: ``12 900 ₸`` in Russian and Kazakh, ``₸12,900`` in English.

    Whole tenge drop their decimals, as every Kazakh price tag does.
    """
    amount = Decimal(amount_minor) / 100
    pattern = None
    if amount_minor % 100 == 0:
        pattern = "¤#,##0" if locale == "en" else "#,##0\u00a0¤"
    text = format_currency(amount, CURRENCY, format=pattern, locale=locale, currency_digits=pattern is None)
    return text.replace(get_currency_symbol(CURRENCY, locale), "₸")


def tenge(amount: int) -> int:
    """Return whole tenge in tiyn; used by the seed and tests for readability."""
    return amount * 100


class AmountError(ValueError):
    """A typed amount that is not a price; ``message`` says how to write it (in the visitor's language)."""

    def __init__(self, text: str, message):
        super().__init__(text)
        self.message = message


_AMOUNT = re.compile(r"[0-9]{1,13}(?:[.,][0-9]{1,2})?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})+(?:[.,][0-9]{1,2})?")


def parse_tenge(text: str) -> int:
    """Parse a staff-entered price like ``12 900``, ``12900`` or ``12900.50`` into tiyn; raise AmountError.

    Spaces group thousands; one comma or dot starts at most two decimals. ``12,900`` or ``1.000`` is
    refused rather than guessed: it reads as 12.90 to a program and as twelve thousand nine hundred
    to a person, and either guess is wrong for someone.
    """
    cleaned = re.sub(r"[\s\u00a0\u202f₸]", "", str(text))
    if _AMOUNT.fullmatch(cleaned):
        return int(Decimal(cleaned.replace(",", ".")) * 100)
    if _GROUPED.fullmatch(cleaned):
        raise AmountError(text, _l("Write thousands with a space, not a comma or dot: «12 900», not «12,900»."))
    raise AmountError(text, _l("Enter an amount in tenge, like 12 900 or 12900.50."))
