"""The information pages as visitors read them, and the consent given to the offer and the privacy policy."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import NotFound, ShopError
from ..extensions import db
from ..models import LOCALES, InfoPage, InfoPageVersion
from ..models.content import CONSENT_PAGES, PAGE_SLUGS

PAGE_TITLES = {
    "offer": _l("Public offer"),
    "privacy": _l("Privacy policy"),
    "delivery-and-payment": _l("Delivery and payment"),
    "returns": _l("Returns and refunds"),
    "contacts": _l("Contacts"),
}


class TermsNotAccepted(ShopError):
    field = "accept_terms"
    message = _l("To continue, accept the offer and consent to the processing of your personal data.")


@dataclass(frozen=True)
class PageText:
    """A page's latest text in one language; ``number`` 0 when nothing was written yet."""

    slug: str
    number: int
    title: str
    body: str
    lang: str  # the language the body is in: the visitor's, or Russian where theirs is empty
    saved_at: datetime | None = None


@dataclass(frozen=True)
class Consent:
    """Acceptance of the offer and consent to the processing of personal data: when, and to which versions."""

    accepted_at: datetime
    offer_version: int | None
    privacy_version: int | None

    def record_on(self, holder) -> None:
        """Write the consent onto an order or an account (only sets attributes)."""
        holder.terms_accepted_at = self.accepted_at
        holder.offer_version = self.offer_version
        holder.privacy_version = self.privacy_version


def latest_version(slug: str) -> InfoPageVersion | None:
    """Return the text an information page shows now, or None when none was written yet."""
    if slug not in PAGE_SLUGS:
        raise NotFound()
    return db.session.scalar(select(InfoPageVersion).join(InfoPage)
                             .where(InfoPage.slug == slug, InfoPageVersion.number == InfoPage.version))


def page_text(slug: str, locale: str) -> PageText:
    """Return an information page's latest text in ``locale`` (Russian, then English, where it is empty)."""
    version = latest_version(slug)
    if version is None:
        return PageText(slug, 0, str(PAGE_TITLES[slug]), "", locale)
    lang = next((code for code in (locale, "ru", "en") if code in LOCALES and getattr(version, f"body_{code}")),
                locale)
    return PageText(slug, version.number, version.tr("title", locale), getattr(version, f"body_{lang}"), lang,
                    version.created_at)


def require_consent(accepted: bool) -> None:
    """Refuse to go on without the offer accepted and the consent to the processing of personal data."""
    if not accepted:
        raise TermsNotAccepted()


def consent_given(now: datetime) -> Consent:
    """Return the consent given at ``now``: to the versions of the offer and the privacy policy in force."""
    rows = db.session.execute(select(InfoPage.slug, InfoPage.version).where(InfoPage.slug.in_(CONSENT_PAGES)))
    versions = {slug: version for slug, version in rows}
    return Consent(now, versions.get("offer") or None, versions.get("privacy") or None)
