"""Money as integers in minor units (tiyn); formatting happens only here, at the edge."""
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_symbol

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


def parse_tenge(text: str) -> int:
    """Parse a staff-entered price like ``12 900`` or ``12900.50`` into tiyn; raise ValueError."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".").replace("₸", "")
    value = Decimal(cleaned)
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return int(value * 100)
