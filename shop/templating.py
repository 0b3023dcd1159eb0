"""Template filters and globals: money, local times, translated model texts, sanitised staff text."""
from datetime import datetime

import nh3
from flask import Flask, has_request_context, session
from flask_babel import format_date, format_datetime
from markupsafe import Markup

from .clock import to_local
from .i18n import LANGUAGE_NAMES, current_locale
from .media.storage import upload_url
from .money import format_money
from .orders.status import shows_fulfilment, status_label
from .pages.buying import HowToBuy, how_to_buy
from .pages.details import shop_details
from .pages.markup import page_html
from .pages.services import PAGE_TITLES
from .payments.methods import NAMES as METHOD_NAMES
from .payments.methods import provider_name
from .payments.providers import enabled_methods
from .phones import dial_digits
from .settings import shop_settings


def money(amount_minor: int | None) -> str:
    """Format tiyn for the page in the visitor's language."""
    return format_money(amount_minor or 0, current_locale())


def local_datetime(moment: datetime | None, style: str = "medium") -> str:
    """Show a UTC moment in Almaty time in the visitor's language."""
    if moment is None:
        return ""
    return format_datetime(moment, "d MMMM y, HH:mm" if style == "medium" else style)


def local_date(moment: datetime | None) -> str:
    return format_date(to_local(moment).date(), "d MMMM y") if moment else ""


RICH_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a"}


def rich_text(text: str | None) -> Markup:
    """Show staff-written text: a few formatting tags survive (cleaned by nh3), line breaks are kept."""
    if not text:
        return Markup("")
    cleaned = nh3.clean(text, tags=RICH_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer",
                        url_schemes={"http", "https", "mailto"})
    return Markup(cleaned.replace("\n", "<br>\n"))


def tr(obj, field: str) -> str:
    """Return a model's text in the visitor's language (``{{ tr(product, "name") }}``)."""
    return obj.tr(field, current_locale()) if obj is not None else ""


def buying_terms() -> HowToBuy:
    """Return how one pays and how a kit arrives, as this shop is configured, in the visitor's language."""
    return how_to_buy(shop_settings().checkout, enabled_methods(), current_locale())


def tel_link(phone: str | None) -> str:
    """Return a ``tel:`` address for a Kazakh phone number, "" when it is not one."""
    digits = dial_digits(phone)
    return f"tel:+{digits}" if digits else ""


def whatsapp_link(phone: str | None) -> str:
    """Return the WhatsApp chat address of a Kazakh phone number (a link staff tap; the page loads nothing)."""
    digits = dial_digits(phone)
    return f"https://wa.me/{digits}" if digits else ""


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["rich"] = rich_text
    app.jinja_env.filters["rich_page"] = page_html
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["tel_link"] = tel_link
    app.jinja_env.filters["whatsapp_link"] = whatsapp_link
    app.jinja_env.globals.update(tr=tr, current_locale=current_locale, LANGUAGE_NAMES=LANGUAGE_NAMES,
                                 order_status_label=status_label, shows_fulfilment=shows_fulfilment,
                                 provider_name=provider_name,
                                 payment_method_name=lambda code: str(METHOD_NAMES.get(code, code)),
                                 shop_details=shop_details, how_to_buy=buying_terms, INFO_PAGES=PAGE_TITLES,
                                 upload_url=upload_url)

    @app.context_processor
    def cart_badge():
        return {"cart_count": session.get("cart_count", 0) if has_request_context() else 0}
