"""Human order numbers: seven random digits, unique, taken safely by checkouts running at once."""
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Order
from ..models.order import new_order_number

ATTEMPTS = 20


def _number_taken(error: IntegrityError) -> bool:
    return "number" in str(error.orig).lower()


def add_numbered(order: Order) -> None:
    """Add ``order`` under a fresh random number, drawing again while another order holds it (only flushes).

    The insert runs in a savepoint: when a concurrent checkout committed the same number first, the unique
    constraint refuses this one, the savepoint alone rolls back and the order tries another number. Numbers
    are not sequential, so they say nothing about how many orders the shop takes.
    """
    for attempt in range(ATTEMPTS):
        order.number = new_order_number()
        try:
            with db.session.begin_nested():
                db.session.add(order)
        except IntegrityError as error:
            if not _number_taken(error) or attempt == ATTEMPTS - 1:
                raise
        else:
            return


def parse_order_number(text: str) -> int | None:
    """Return the order number typed in ``text`` ("№ 123 45 67" reads as 1234567), or None."""
    digits = "".join(text.replace("№", " ").replace("#", " ").split())
    return int(digits) if digits.isdigit() and 6 <= len(digits) <= 7 else None
