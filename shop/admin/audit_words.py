"""The audit log in words: each entry as the sentence a staff member reads, in the page's language.

"Aigerim received 10 × Basil starter kit (Agro-Almaty), on hand 25 → 35": the person's name, the record's
name as staff know it (a product's name, an order's number), amounts in tenge and statuses in words. The
records a page names are looked up together (`audit_objects.subjects`); an action this module does not know
still reads as a sentence, and the raw entry stays beside it on the page.
"""
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..models import AuditEntry
from ..orders.status import status_label
from ..payments.methods import provider_name
from ..templating import local_datetime, money
from .audit import KINDS, details_of, kind_of
from .audit_changes import changes_in_words
from .audit_objects import Subject, subject_of, subjects
from .forms import ROLE_LABELS


@dataclass(frozen=True)
class AuditLine:
    """One entry as the page shows it: the sentence, the record it links to, its kind and the raw record."""

    entry: AuditEntry
    who: str
    sentence: str
    subject: Subject
    kind: str
    raw: str


@dataclass(frozen=True)
class Said:
    """What a sentence is made of: who, the record's name, and the entry's details."""

    who: str
    what: str
    details: dict
    names: dict = field(default_factory=dict)  # other records by target ("category:3"), for an edit's changes

    def get(self, key: str, default=None):
        return self.details.get(key, default)

    def number(self, key: str) -> int:
        value = self.details.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0


def actor_name(entry: AuditEntry) -> str:
    """Return who made an entry: their name, else their e-mail; the shop itself when no one did."""
    if entry.actor is None:
        return _("The shop")
    return entry.actor.full_name or entry.actor.email


def _pair(value) -> tuple | None:
    return tuple(value) if isinstance(value, list) and len(value) == 2 else None


def _when(value) -> str:
    try:
        return local_datetime(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


# --- stock -------------------------------------------------------------------------------------------

def _stock(s: Said, kind: str) -> str:
    delta, after = s.number("delta"), s.number("level_after")
    values = {"who": s.who, "what": s.what, "count": abs(delta), "before": after - delta, "after": after,
              "note": s.get("reason") or "", "delta": f"{delta:+d}"}
    if kind in ("received", "receive"):
        text = (_("%(who)s received %(count)s × %(what)s (%(note)s), on hand %(before)s → %(after)s") if values["note"]
                else _("%(who)s received %(count)s × %(what)s, on hand %(before)s → %(after)s"))
    elif kind in ("written_off", "write_off"):
        text = (_("%(who)s wrote off %(count)s × %(what)s (%(note)s), on hand %(before)s → %(after)s")
                if values["note"] else _("%(who)s wrote off %(count)s × %(what)s, on hand %(before)s → %(after)s"))
    elif kind in ("counted", "count"):
        text = (_("%(who)s counted %(what)s (%(note)s), on hand %(before)s → %(after)s") if values["note"]
                else _("%(who)s counted %(what)s, on hand %(before)s → %(after)s"))
    else:
        text = _("%(who)s changed the stock of %(what)s by %(delta)s, on hand %(before)s → %(after)s")
    return text % values


# --- orders and refunds ------------------------------------------------------------------------------

def _order_moves(s: Said) -> str:
    moves = []
    for key, words in (("status", _l("%(who)s moved order %(number)s from “%(from)s” to “%(to)s”")),
                       ("payment", _l("%(who)s changed the payment of order %(number)s from “%(from)s” to “%(to)s”")),
                       ("fulfilment", _l("%(who)s changed the fulfilment of order %(number)s "
                                         "from “%(from)s” to “%(to)s”"))):
        pair = _pair(s.get(key))
        if pair:
            moves.append(str(words) % {"who": s.who, "number": s.what, "from": status_label(str(pair[0])),
                                       "to": status_label(str(pair[1]))})
    text = "; ".join(moves) or _("%(who)s changed order %(number)s") % {"who": s.who, "number": s.what}
    if s.get("tracking"):
        text += ", " + _("tracking number %(tracking)s") % {"tracking": s.get("tracking")}
    return text


def _refund(s: Said) -> str:
    values = {"who": s.who, "number": s.what, "amount": money(s.number("amount_minor")), "reason": s.get("reason")}
    text = (_("%(who)s refunded %(amount)s on order %(number)s (%(reason)s)") if values["reason"]
            else _("%(who)s refunded %(amount)s on order %(number)s"))
    text %= values
    restock = s.get("restock")
    units = sum(v for v in restock.values() if isinstance(v, int)) if isinstance(restock, dict) else 0
    if units:
        text += ", " + ngettext("%(num)d item back in stock", "%(num)d items back in stock", units)
    return text


def _paid(s: Said) -> str:
    return _("%(who)s recorded the payment of order %(number)s: %(amount)s by %(provider)s") % {
        "who": s.who, "number": s.what, "amount": money(s.number("amount_minor")),
        "provider": provider_name(str(s.get("provider", "")))}


def _note(s: Said, target: str) -> str:
    if target.startswith("order:"):
        return _("%(who)s added a note to order %(number)s") % {"who": s.who, "number": s.what}
    return _("%(who)s added a note on the customer %(what)s") % {"who": s.who, "what": s.what}


# --- the rest, one sentence each ---------------------------------------------------------------------

def _simple(words) -> Callable[[Said], str]:
    return lambda s: str(words) % {"who": s.who, "what": s.what}


def _changed(words) -> Callable[[Said], str]:
    def say(s: Said) -> str:
        changes = changes_in_words(s.details, s.names)
        return str(words) % {"who": s.who, "what": s.what} + (f": {changes}" if changes else "")
    return say


SIMPLE = {
    "order.kaspi_cancel": _l("%(who)s cancelled order %(what)s: the Kaspi payment did not come"),
    "cohort.cancel": _l("%(who)s cancelled the cohort %(what)s"),
    "cohort.reopen": _l("%(who)s reopened the cohort %(what)s"),
    "product.create": _l("%(who)s created the product %(what)s"),
    "product.image_add": _l("%(who)s added a picture to %(what)s"),
    "product.image_main": _l("%(who)s made a picture the main one of %(what)s"),
    "product.image_remove": _l("%(who)s removed a picture from %(what)s"),
    "course.create": _l("%(who)s created the course %(what)s"),
    "category.create": _l("%(who)s created the category %(what)s"),
    "promo_code.create": _l("%(who)s created the promo code %(what)s"),
    "promo_code.update": _l("%(who)s changed the promo code %(what)s"),
    "search_synonyms.update": _l("%(who)s changed the search synonyms"),
}
CHANGED = {
    "product.update": _l("%(who)s changed the product %(what)s"),
    "course.update": _l("%(who)s changed the course %(what)s"),
    "category.update": _l("%(who)s changed the category %(what)s"),
    "cohort.update": _l("%(who)s changed the cohort %(what)s"),
    "shop_details.update": _l("%(who)s changed the shop's details"),
}


def _cohort_sentence(action: str, s: Said) -> str | None:
    values = {"who": s.who, "what": s.what}
    if action == "cohort.create":
        seats = s.number("capacity")
        return ngettext("%(who)s created the cohort %(what)s with %(num)d seat",
                        "%(who)s created the cohort %(what)s with %(num)d seats", seats, **values)
    if action == "cohort.capacity":
        return _("%(who)s changed the seats of %(what)s: %(before)s → %(after)s",
                 before=s.number("before"), after=s.number("after"), **values)
    if action == "cohort.schedule_sent":
        return ngettext("%(who)s sent the schedule of %(what)s to %(num)d learner",
                        "%(who)s sent the schedule of %(what)s to %(num)d learners", s.number("learners"), **values)
    if action == "cohort.session_add":
        return _("%(who)s added a session on %(when)s (%(minutes)s min) to %(what)s",
                 when=_when(s.get("starts_at")), minutes=s.number("minutes"), **values)
    if action == "cohort.session_remove":
        return _("%(who)s removed the session on %(when)s from %(what)s", when=_when(s.get("starts_at")), **values)
    if action == "cohort.attendance":
        return _("%(who)s marked attendance in %(what)s: %(present)s of %(of)s present",
                 present=s.number("present"), of=s.number("of"), **values)
    if action == "enrolment.cancel":
        return _("%(who)s cancelled the place of %(email)s in %(what)s", email=s.get("email", ""), **values)
    return None


def _other_sentence(action: str, s: Said, target: str) -> str | None:
    if action.startswith("stock."):
        return _stock(s, action.removeprefix("stock."))
    if action == "order.status":
        return _order_moves(s)
    if action == "order.refund":
        return _refund(s)
    if action == "order.paid":
        return _paid(s)
    if action == "note.add":
        return _note(s, target)
    if action == "enrolment.cancel_for_order":
        return ngettext("%(who)s cancelled %(num)d course place of order %(number)s",
                        "%(who)s cancelled %(num)d course places of order %(number)s", s.number("count"),
                        who=s.who, number=s.what)
    if action == "page.update":
        return _("%(who)s published version %(version)s of the page “%(what)s”", who=s.who, what=s.what,
                 version=s.number("version"))
    if action == "staff.role":
        old, new = _pair(s.get("role")) or ("", "")
        return _("%(who)s changed the role of %(email)s: %(from)s → %(to)s", who=s.who, email=s.get("email", ""),
                 **{"from": str(ROLE_LABELS.get(old, old)), "to": str(ROLE_LABELS.get(new, new))})
    return None


def describe(entry: AuditEntry, subject: Subject, names: dict | None = None) -> str:
    """Return the sentence that tells an entry in the current language (``names``: other records by target)."""
    s = Said(actor_name(entry), subject.name, details_of(entry), names or {})
    action = entry.action or ""
    if action in SIMPLE:
        return _simple(SIMPLE[action])(s)
    if action in CHANGED:
        return _changed(CHANGED[action])(s)
    said = _cohort_sentence(action, s) or _other_sentence(action, s, entry.target or "")
    if said is not None:
        return said
    if entry.target:
        return _("%(who)s made a change (%(action)s) to %(what)s", who=s.who, action=action, what=s.what)
    return _("%(who)s made a change (%(action)s)", who=s.who, action=action)


def _raw(entry: AuditEntry) -> str:
    return json.dumps(details_of(entry), ensure_ascii=False, indent=1, sort_keys=True)


def audit_lines(entries: list[AuditEntry]) -> list[AuditLine]:
    """Return a page of entries in words, the records they name looked up once for the whole page."""
    found = subjects(entries)
    names = {target: subject.name for target, subject in found.items()}
    lines = []
    for entry in entries:
        subject = subject_of(entry.target, found)
        kind = kind_of(entry.action or "")
        lines.append(AuditLine(entry, actor_name(entry), describe(entry, subject, names), subject,
                               str(KINDS[kind][0]) if kind else "", _raw(entry)))
    return lines
