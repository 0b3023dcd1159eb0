"""The jobs themselves: plain functions, each one unit of work, called by workers, the scheduler and the CLI.

A job is named by a string (``JOBS``) so a message on the broker says only "run send-message with 42": the
outbox row stays the source of truth and a job that is lost, or run twice, changes nothing twice.
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from ..checkout.services import expire_payments
from ..clock import utcnow
from ..courses.services import expire_waitlist_offers, send_reminders
from ..database import unit_of_work
from ..integrity import check_integrity
from ..mail.outbox import queue_email, send_message, send_outbox
from ..orders.expiry import expire_orders
from ..payments.providers import gateway_for
from ..payments.reconcile import settle_late_payments

logger = logging.getLogger("shop.jobs")


@dataclass(frozen=True)
class Released:
    settled: int
    holds: int
    orders: int
    lapsed: int


def release_expired() -> Released:
    """Release reservations whose time ran out, after asking the providers about payments still pending.

    An order paid while its notification was late or lost is marked paid instead of cancelled; the payment
    pages of the orders cancelled are closed at their providers; lapsed waiting-list offers pass on.
    """
    now = utcnow()
    settled = settle_late_payments(now, gateway_for)
    holds, orders, closed = expire_orders(now)
    expire_payments(closed, gateway_for)
    lapsed = expire_waitlist_offers(now)
    return Released(settled=settled, holds=holds, orders=orders, lapsed=lapsed)


def check_integrity_and_tell_staff() -> list[str]:
    """Check every invariant; when one is broken, e-mail the list to STAFF_EMAIL (once a day at most)."""
    problems = check_integrity()
    if problems:
        logger.error("integrity check found %d problem(s)", len(problems))
        with unit_of_work():
            queue_email(current_app.config["STAFF_EMAIL"], "integrity_failed", locale="ru",
                        dedupe_key=f"integrity:{utcnow():%Y-%m-%d}", problems=problems)
    return problems


def _send_message(message_id: int) -> bool:
    return send_message(message_id, utcnow())


def _sweep_outbox() -> tuple[int, int]:
    return send_outbox(utcnow())


def _send_reminders() -> int:
    return send_reminders(utcnow())


JOBS: dict[str, Callable] = {
    "send-message": _send_message,
    "send-outbox": _sweep_outbox,
    "release-expired": release_expired,
    "send-reminders": _send_reminders,
    "check-integrity": check_integrity_and_tell_staff,
}
