"""The waiting list of a full cohort: joining, leaving, offers of freed seats and claiming them.

An offer is a `Hold` of one seat owned by the waiting-list entry (``waitlist_entry_id``) for
`OFFER_HOURS`. It counts against seats left like any checkout hold, so nobody else can take
the seat meanwhile. The claim link puts the seat in the claimant's cart (the entry remembers
that cart); checkout turns the offer's hold into the order's hold under the cohort's row lock.
An unpaid order that goes away gives the seat back to the offer while the offer lasts.

Offer and e-mail helpers here only flush; `join_waitlist`, `leave_waitlist` and
`expire_waitlist_offers` are units of work.
"""
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from ..accounts.services import normalise_email
from ..database import unit_of_work
from ..errors import CohortClosed, NotFound, ShopError
from ..extensions import db
from ..inventory.services import hold_seats, lock_rows, seat_availability, seat_hold_end
from ..mail.compose import external_url
from ..mail.outbox import queue_email
from ..models import Cohort, Hold, User, WaitlistEntry
from ..models.common import LOCALES
from ..tokens import BadToken, sign, unsign

OFFER_HOURS = 24
ACTIVE = ("unconfirmed", "waiting", "offered")
CLOSED = ("cancelled", "started", "finished")
# An offered entry put back in line: waiting again, its offer and the cart that claimed it forgotten
BACK_IN_LINE = {"status": "waiting", "offered_at": None, "offer_expires_at": None, "cart_id": None}


class CohortNotFull(ShopError):
    message = _l("This cohort still has seats: you can book one now.")


class OfferLapsed(ShopError):
    message = _l("This offer has lapsed or was already used. You can join the waiting list again.")


class InvalidWaitlistLink(ShopError):
    message = _l("This waiting-list link is not valid.")


_PURPOSES = {"claim": "waitlist_claim", "leave": "unsubscribe", "confirm": "waitlist_confirm"}


def claim_token(entry: WaitlistEntry) -> str:
    """Return the token of the link that claims the seat offered to ``entry``."""
    return sign("waitlist_claim", entry.id)


def leave_token(entry: WaitlistEntry) -> str:
    """Return the token of the link that takes ``entry`` off the waiting list."""
    return sign("unsubscribe", entry.id)


def confirm_token(entry: WaitlistEntry) -> str:
    """Return the token of the link that confirms the address of a new ``entry``, putting it in line."""
    return sign("waitlist_confirm", entry.id)


def _entry_id(token: str | None, purpose: str) -> int:
    try:
        entry_id = unsign(_PURPOSES[purpose], token)
    except BadToken:
        raise InvalidWaitlistLink() from None
    if not isinstance(entry_id, int):
        raise InvalidWaitlistLink()
    return entry_id


def _entry(token: str | None, purpose: str) -> WaitlistEntry:
    entry = db.session.get(WaitlistEntry, _entry_id(token, purpose))
    if entry is None:
        raise InvalidWaitlistLink()
    return entry


def _leave_link(entry: WaitlistEntry) -> str:
    return external_url("courses.leave_page", locale=entry.locale, token=leave_token(entry))


def _locked_cohort(cohort_id: int) -> Cohort:
    lock_rows(cohort_ids=[cohort_id])
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound()
    db.session.refresh(cohort)
    return cohort


def join_waitlist(cohort_id: int, email: str, *, user: User | None = None, now: datetime,
                  locale: str = "ru") -> WaitlistEntry:
    """Put an e-mail on a full cohort's waiting list (once); it takes its place in line when confirmed.

    The address confirms by the link e-mailed to it, so nobody can queue up addresses that are not
    theirs; a signed-in account that proved its own address is in line at once.
    """
    address = normalise_email(email or "")
    with unit_of_work():
        cohort = _locked_cohort(cohort_id)
        left = seat_availability([cohort.id], now)[cohort.id]
        status = cohort.status(left, now)
        if status in CLOSED:
            raise CohortClosed()
        if status != "full":
            raise CohortNotFull()
        entry = db.session.scalar(select(WaitlistEntry).where(
            WaitlistEntry.cohort_id == cohort.id, func.lower(WaitlistEntry.email) == address,
            WaitlistEntry.status.in_(ACTIVE)))
        if entry is not None:
            return entry
        proven = user is not None and user.is_verified and normalise_email(user.email) == address
        entry = WaitlistEntry(cohort_id=cohort.id, user_id=user.id if user else None, email=address,
                              locale=locale if locale in LOCALES else "ru", created_at=now,
                              status="waiting" if proven else "unconfirmed", confirmed_at=now if proven else None)
        db.session.add(entry)
        db.session.flush()
        if proven:
            queue_email(address, "waitlist_joined", locale=entry.locale, dedupe_key=f"waitlist-joined:{entry.id}",
                        entry=entry, cohort=cohort, leave_link=_leave_link(entry), unsubscribe_url=_leave_link(entry))
        else:
            queue_email(address, "waitlist_confirm", locale=entry.locale, dedupe_key=f"waitlist-confirm:{entry.id}",
                        entry=entry, cohort=cohort, leave_link=_leave_link(entry), unsubscribe_url=_leave_link(entry),
                        confirm_link=external_url("courses.confirm_waitlist", locale=entry.locale,
                                                  token=confirm_token(entry)))
    return entry


def confirm_waitlist(token: str, *, now: datetime) -> WaitlistEntry:
    """Put an entry in line once its address answered the e-mail; a seat free by then is offered at once."""
    entry_id = _entry_id(token, "confirm")
    with unit_of_work():
        entry = db.session.get(WaitlistEntry, entry_id)
        if entry is None:
            raise InvalidWaitlistLink()
        _locked_cohort(entry.cohort_id)
        db.session.refresh(entry)
        if entry.status == "unconfirmed":
            entry.status, entry.confirmed_at = "waiting", now
            db.session.flush()
            offer_freed_seats(entry.cohort_id, now=now)
    return entry


def _drop_offer_hold(entry_id: int) -> int:
    """Delete the seat an offer holds unless checkout already made it an order's hold; return seats freed."""
    held = db.session.scalar(select(func.coalesce(func.sum(Hold.quantity), 0)).where(
        Hold.waitlist_entry_id == entry_id, Hold.order_id.is_(None)))
    db.session.execute(delete(Hold).where(Hold.waitlist_entry_id == entry_id, Hold.order_id.is_(None)))
    return held or 0


def _offer(entry: WaitlistEntry, cohort: Cohort, now: datetime) -> None:
    expires_at = seat_hold_end(cohort, now + timedelta(hours=OFFER_HOURS))
    hold_seats(cohort, 1, expires_at=expires_at, now=now, waitlist_entry_id=entry.id)
    entry.status, entry.offered_at, entry.offer_expires_at = "offered", now, expires_at
    db.session.flush()
    queue_email(entry.email, "waitlist_offer", locale=entry.locale, dedupe_key=f"waitlist-offer:{entry.id}",
                cohort=cohort, expires_at=expires_at, leave_link=_leave_link(entry),
                unsubscribe_url=_leave_link(entry),
                claim_link=external_url("courses.claim_offer", locale=entry.locale, token=claim_token(entry)))


def offer_freed_seats(cohort_id: int, *, now: datetime) -> int:
    """Offer each free seat of an open cohort to the next person waiting; return how many offers went out.

    Only flushes. A seat is free when no active enrolment, checkout hold or earlier offer
    takes it, so calling this again right away offers nothing more.
    """
    cohort = _locked_cohort(cohort_id)
    left = seat_availability([cohort.id], now)[cohort.id]
    if left <= 0 or cohort.status(left, now) != "open":
        return 0
    waiting = db.session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.cohort_id == cohort.id, WaitlistEntry.status == "waiting")
        .order_by(WaitlistEntry.confirmed_at, WaitlistEntry.id).limit(left)
    ).all()
    for entry in waiting:
        _offer(entry, cohort, now)
    return len(waiting)


def withdraw_offers(cohort_ids: list[int]) -> None:
    """Put people offered a seat of a cohort that closed back in line, their offers void (only flushes).

    Their seats' holds go with the cohort's (`release_closed_holds`); if the cohort reopens they are
    offered again in their turn.
    """
    db.session.execute(update(WaitlistEntry).where(WaitlistEntry.cohort_id.in_(cohort_ids),
                                                   WaitlistEntry.status == "offered")
                       .values(**BACK_IN_LINE)
                       .execution_options(synchronize_session=False))


def expire_waitlist_offers(now: datetime) -> int:
    """Lapse offers whose time ran out and pass every free seat to the next people waiting; return how many lapsed.

    A unit of work, safe to run from cron every few minutes and twice at once. Besides
    lapsed offers it also hands on seats that checkout holds freed simply by running out,
    which no other event reports.
    """
    with unit_of_work():
        cohort_ids = sorted(set(db.session.scalars(
            select(WaitlistEntry.cohort_id).join(Cohort, WaitlistEntry.cohort_id == Cohort.id)
            .where(WaitlistEntry.status.in_(ACTIVE), or_(Cohort.starts_at > now, WaitlistEntry.status == "offered"))
            .distinct())))
        lock_rows(cohort_ids=cohort_ids)
        lapsed = db.session.scalars(select(WaitlistEntry).where(
            WaitlistEntry.status == "offered", WaitlistEntry.offer_expires_at <= now)).all()
        for entry in lapsed:
            entry.status = "lapsed"
            _drop_offer_hold(entry.id)
        for cohort_id in cohort_ids:
            offer_freed_seats(cohort_id, now=now)
    return len(lapsed)


def leave_waitlist(token: str, *, now: datetime) -> WaitlistEntry:
    """Take the person off the waiting list by their signed link; a seat they were offered goes to the next."""
    entry_id = _entry_id(token, "leave")
    with unit_of_work():
        entry = db.session.get(WaitlistEntry, entry_id)
        if entry is None:
            raise InvalidWaitlistLink()
        _locked_cohort(entry.cohort_id)
        db.session.refresh(entry)
        if entry.status in ACTIVE:
            entry.status = "left"
            if _drop_offer_hold(entry.id):
                offer_freed_seats(entry.cohort_id, now=now)
    return entry


def entry_for_leaving(token: str) -> WaitlistEntry:
    """Return the entry a leave link names; raise InvalidWaitlistLink for a forged one."""
    return _entry(token, "leave")


def open_offer(token: str, now: datetime) -> WaitlistEntry:
    """Return the entry whose offer a claim link names while the offer lasts; raise OfferLapsed after."""
    entry = _entry(token, "claim")
    if entry.status != "offered" or entry.offer_expires_at is None or entry.offer_expires_at <= now:
        raise OfferLapsed()
    return entry


def bind_claim(token: str, *, cart_id: int, now: datetime) -> WaitlistEntry:
    """Tie the seat an offer holds to the claimant's cart; only flushes."""
    entry = open_offer(token, now)
    entry.cart_id = cart_id
    db.session.flush()
    return entry


def _claim_holds(cart_id: int, now: datetime):
    return (select(Hold).join(WaitlistEntry)
            .where(WaitlistEntry.cart_id == cart_id, WaitlistEntry.status == "offered", Hold.expires_at > now))


def claimed_seats(cart_id: int | None, now: datetime) -> dict[int, int]:
    """Return, per cohort, the seats that offers claimed into this cart hold for it."""
    if cart_id is None:
        return {}
    rows = db.session.execute(_claim_holds(cart_id, now).with_only_columns(Hold.cohort_id, func.sum(Hold.quantity))
                              .group_by(Hold.cohort_id))
    return {cohort_id: int(seats) for cohort_id, seats in rows}


def take_claimed_seats(cart_id: int | None, cohort: Cohort, quantity: int, *, now: datetime, expires_at: datetime,
                       order_id: int, order_line_id: int) -> int:
    """Make the offers claimed into this cart the order line's seat hold; return the seats so taken.

    Only flushes; call under `lock_rows` for the cohort, as checkout does.
    """
    if cart_id is None:
        return 0
    holds = db.session.scalars(_claim_holds(cart_id, now).where(Hold.cohort_id == cohort.id, Hold.order_id.is_(None))
                               .order_by(Hold.id)).all()
    if holds and cohort.status(seat_availability([cohort.id], now)[cohort.id], now) in CLOSED:
        raise CohortClosed(cohort=cohort.id)
    taken = 0
    for hold in holds:
        if taken + hold.quantity > quantity:
            break
        hold.order_id, hold.order_line_id = order_id, order_line_id
        hold.expires_at = seat_hold_end(cohort, expires_at)
        taken += hold.quantity
    db.session.flush()
    return taken


def return_claimed_seats(order_id: int, *, now: datetime) -> None:
    """Give an unpaid order's seats that came from offers back to those offers while they last; only flushes.

    Call under the cohorts' lock, before the order's holds are released, so a claimant whose payment
    failed, or whose reservation ran out, can check out again within the offer's time. A reservation
    that ran out stopped keeping its seat: if the seat was sold meanwhile, the claimant goes back to
    the head of the line (offered the next seat that frees) instead of taking it from the buyer.
    """
    rows = db.session.execute(select(Hold, WaitlistEntry)
                              .join(WaitlistEntry)
                              .where(Hold.order_id == order_id).order_by(Hold.id)).all()
    for hold, entry in rows:
        if entry.status != "offered" or entry.offer_expires_at <= now:
            continue
        if hold.expires_at <= now and seat_availability([hold.cohort_id], now)[hold.cohort_id] < hold.quantity:
            for name, value in BACK_IN_LINE.items():
                setattr(entry, name, value)
        else:
            hold.order_id = hold.order_line_id = None
            hold.expires_at = entry.offer_expires_at
        db.session.flush()


def settle_entries_of_buyer(cohort_id: int, *, cart_id: int | None, email: str, user_id: int | None) -> int:
    """Mark a new learner's waiting-list entries for the cohort enrolled; return seats their offers freed.

    Only flushes. Someone who bought a seat stops waiting, and an offer they did not use
    goes back to the pool (the caller offers it on).
    """
    who = [func.lower(WaitlistEntry.email) == normalise_email(email)]
    if cart_id is not None:
        who.append(WaitlistEntry.cart_id == cart_id)
    if user_id is not None:
        who.append(WaitlistEntry.user_id == user_id)
    entries = db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.cohort_id == cohort_id, WaitlistEntry.status.in_(ACTIVE), or_(*who))).all()
    freed = 0
    for entry in entries:
        entry.status = "enrolled"
        freed += _drop_offer_hold(entry.id)
    db.session.flush()
    return freed


def move_claims(from_cart_id: int, to_cart_id: int) -> None:
    """Move offers claimed into a visitor's cart to the cart it joins at login; only flushes."""
    db.session.execute(update(WaitlistEntry).where(WaitlistEntry.cart_id == from_cart_id)
                       .values(cart_id=to_cart_id).execution_options(synchronize_session=False))
