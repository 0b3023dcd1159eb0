"""What a page's <head> tells search engines and messengers, as template helpers (registered by the app)."""
import json

from flask import Flask, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..i18n import current_locale
from ..pages.details import shop_details
from . import structured
from .links import absolute, alternates, canonical, site_root

OG_LOCALES = {"ru": "ru_RU", "kk": "kk_KZ", "en": "en_US"}
PRIVATE_BLUEPRINTS = {"cart", "checkout", "accounts", "learn", "admin", "orders", "payments"}


def json_ld(*items: dict) -> Markup:
    """Return <script type="application/ld+json"> blocks (JSON escaped so no text closes the script)."""
    blocks = []
    for item in items:
        text = json.dumps(item, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
        blocks.append(f'<script type="application/ld+json">{text}</script>')
    return Markup("\n".join(blocks))


def _organization() -> dict:
    return structured.organization(name=_("City Farm"), url=absolute(url_for("catalog.home")),
                                   logo=absolute(url_for("seo.apple_touch_icon")),
                                   details=_business_details(shop_details(), current_locale()))


def _business_details(details, locale: str) -> dict:
    """Return what staff entered about the farm as schema.org properties (empty ones left out)."""
    same_as = [link for link in (details.whatsapp_url, details.telegram_url, details.map_url) if link]
    street = details.tr("pickup_address", locale) or details.tr("legal_address", locale)
    return {"legalName": details.tr("legal_name", locale), "telephone": details.phone, "email": details.email,
            "taxID": details.bin_iin, "sameAs": same_as, "openingHours": details.tr("pickup_hours", locale),
            "address": street and {"@type": "PostalAddress", "streetAddress": street, "addressLocality": "Almaty",
                                   "addressCountry": "KZ"}}


def ld_home() -> Markup:
    return json_ld(_organization())


def ld_product(card, category_name: str) -> Markup:
    """Return the structured data of a product page: the Product with its Offer, and its breadcrumbs."""
    product = card.product
    url = absolute(url_for("catalog.product", slug=product.slug))
    data = structured.product(product, available=card.available, locale=current_locale(), url=url,
                              image=absolute(url_for("seo.product_image", slug=product.slug)), brand=_("City Farm"))
    crumbs = structured.breadcrumbs([
        (_("City Farm"), absolute(url_for("catalog.home"))), (_("Kits"), absolute(url_for("catalog.index"))),
        (category_name, absolute(url_for("catalog.index", category=product.category.slug))), (data["name"], url)])
    return json_ld(data, crumbs)


def ld_course(course, cohorts) -> Markup:
    """Return the structured data of a course page: the Course with a CourseInstance per cohort, breadcrumbs."""
    url = absolute(url_for("courses.course", slug=course.slug))
    provider = {"name": _("City Farm"), "url": absolute(url_for("catalog.home"))}
    data = structured.course(course, cohorts, locale=current_locale(), url=url, provider=provider,
                             image=absolute(url_for("seo.course_image", slug=course.slug)))
    crumbs = structured.breadcrumbs([(_("City Farm"), provider["url"]),
                                     (_("Courses"), absolute(url_for("courses.index"))), (data["name"], url)])
    return json_ld(data, crumbs)


def is_private_page() -> bool:
    """Pages of one person (cart, checkout, account, orders, payment, staff): kept out of search engines."""
    return request.blueprint in PRIVATE_BLUEPRINTS


def register_seo(app: Flask) -> None:
    app.jinja_env.globals.update(canonical_url=canonical, alternate_urls=alternates, absolute_url=absolute,
                                 og_locale=lambda: OG_LOCALES[current_locale()], ld_home=ld_home,
                                 ld_product=ld_product, ld_course=ld_course, is_private_page=is_private_page,
                                 site_root=site_root)
