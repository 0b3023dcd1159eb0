"""What an edit changed, in words: "price 7 900 ₸ → 8 500 ₸; on sale yes → no" (for the audit log's sentences)."""
from collections.abc import Mapping
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..templating import local_datetime, money

FIELD_LABELS = {
    "slug": _l("web address"), "category_id": _l("category"), "course_id": _l("course"),
    "kit_alone_id": _l("kit sold alone"), "seats_per_unit": _l("seats per kit"), "price_minor": _l("price"),
    "low_stock_threshold": _l("low-stock alert"), "days_to_harvest": _l("days to harvest"),
    "is_active": _l("on offer"), "is_featured": _l("featured"), "name": _l("name"), "title": _l("title"),
    "description": _l("description"), "contents": _l("contents"), "summary": _l("summary"),
    "position": _l("position"), "topic": _l("topic"), "starts_at": _l("start"), "capacity": _l("seats"),
    "language": _l("language"), "format": _l("format"), "venue": _l("venue"), "join_url": _l("join link"),
    "materials_url": _l("materials link"), "teacher": _l("teacher"), "programme": _l("programme"),
}
# Fields that hold another record's id, and the kind of record: the log names the record, not its id.
REFERENCES = {"category_id": "category", "course_id": "course", "kit_alone_id": "product"}
LANGUAGE_SUFFIXES = {"ru": "RU", "kk": "KK", "en": "EN"}
MAX_VALUE = 60


def field_label(name: str) -> str:
    """Return a field's name in words; a translated text's name carries its language (``name (KK)``)."""
    base, _sep, suffix = name.rpartition("_")
    if base and suffix in LANGUAGE_SUFFIXES:
        return f"{field_label(base)} ({LANGUAGE_SUFFIXES[suffix]})"
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")


def value_in_words(name: str, value, names: Mapping[str, str] | None = None) -> str:
    """Return a recorded value as staff read it: tenge for amounts, Almaty time for moments, yes or no, and
    another record by its name when ``names`` (``{"category:3": "Herbs"}``) knows it."""
    if value is None or value == "":
        return "—"
    if name in REFERENCES and names and f"{REFERENCES[name]}:{value}" in names:
        return names[f"{REFERENCES[name]}:{value}"]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name.endswith("_minor") and isinstance(value, int):
        return money(value)
    if name.endswith("_at") or name.startswith("valid_"):
        try:
            return local_datetime(datetime.fromisoformat(str(value)))
        except ValueError:
            pass
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def changes_in_words(details: dict, names: Mapping[str, str] | None = None) -> str:
    """Return ``{field: [old, new]}`` (or ``{field: "changed"}``) as "field old → new; field changed"."""
    parts = []
    for name, change in sorted(details.items()):
        label = field_label(str(name))
        if isinstance(change, list) and len(change) == 2:
            parts.append(f"{label} {value_in_words(name, change[0], names)} → {value_in_words(name, change[1], names)}")
        elif change == "changed":
            parts.append(_("%(field)s changed", field=label))
        else:
            parts.append(f"{label} {value_in_words(name, change, names)}")
    return "; ".join(parts)
