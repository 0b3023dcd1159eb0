"""The shop's settings as one typed object, made once per app from its configuration.

Services take what they need as arguments (a `CheckoutRules`, an address) or read `shop_settings()`;
nothing below the views reads ``current_app.config`` keys one by one.
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, current_app

# Kazakhstan's larger cities as people write them in Russian, Kazakh and English (and their older
# names), so a courier city set as "Almaty" also matches «Алматы» or «г. Алма-Ата».
CITY_NAMES: dict[str, dict[str, str]] = {
    "almaty": {"ru": "Алматы", "kk": "Алматы", "en": "Almaty"},
    "astana": {"ru": "Астана", "kk": "Астана", "en": "Astana"},
    "shymkent": {"ru": "Шымкент", "kk": "Шымкент", "en": "Shymkent"},
    "karaganda": {"ru": "Караганда", "kk": "Қарағанды", "en": "Karaganda"},
    "aktobe": {"ru": "Актобе", "kk": "Ақтөбе", "en": "Aktobe"},
    "taraz": {"ru": "Тараз", "kk": "Тараз", "en": "Taraz"},
    "pavlodar": {"ru": "Павлодар", "kk": "Павлодар", "en": "Pavlodar"},
    "oskemen": {"ru": "Усть-Каменогорск", "kk": "Өскемен", "en": "Oskemen"},
    "semey": {"ru": "Семей", "kk": "Семей", "en": "Semey"},
    "atyrau": {"ru": "Атырау", "kk": "Атырау", "en": "Atyrau"},
    "kostanay": {"ru": "Костанай", "kk": "Қостанай", "en": "Kostanay"},
    "kyzylorda": {"ru": "Кызылорда", "kk": "Қызылорда", "en": "Kyzylorda"},
    "oral": {"ru": "Уральск", "kk": "Орал", "en": "Oral"},
    "petropavl": {"ru": "Петропавловск", "kk": "Петропавл", "en": "Petropavl"},
    "aktau": {"ru": "Актау", "kk": "Ақтау", "en": "Aktau"},
    "turkistan": {"ru": "Туркестан", "kk": "Түркістан", "en": "Turkistan"},
    "taldykorgan": {"ru": "Талдыкорган", "kk": "Талдықорған", "en": "Taldykorgan"},
    "konaev": {"ru": "Конаев", "kk": "Қонаев", "en": "Konaev"},
}
OTHER_NAMES = {
    "almaty": ("алма ата", "alma ata", "almaty city"), "astana": ("нур султан", "nur sultan", "нұр сұлтан"),
    "shymkent": ("чимкент",), "karaganda": ("karagandy", "qaragandy"), "oskemen": ("ust kamenogorsk",),
    "oral": ("uralsk",), "petropavl": ("petropavlovsk",), "konaev": ("капшагай", "kapshagay", "qonaev"),
    "turkistan": ("turkestan",), "kostanay": ("qostanai", "kostanai"), "aktobe": ("aqtobe",), "aktau": ("aqtau",),
}
_PREFIXES = re.compile(r"^(г|гор|город|қ|қала|city|city of)\.?\s+")


def _fold(name: str) -> str:
    text = re.sub(r"[\s\-–—.,]+", " ", name.casefold().replace("ё", "е")).strip()
    return _PREFIXES.sub("", text).strip()


_ALIASES: dict[str, str] = {}
for _key, _names in CITY_NAMES.items():
    for _name in (_key, *_names.values(), *OTHER_NAMES.get(_key, ())):
        _ALIASES[_fold(_name)] = _key


def city_key(name: str) -> str:
    """Return the city's key in any language or spelling people use ("г. Алматы" → "almaty")."""
    folded = _fold(name or "")
    return _ALIASES.get(folded, folded)


def city_name(key: str, locale: str) -> str:
    """Return a city's name in ``locale`` (the configured spelling when the city is not known)."""
    return CITY_NAMES.get(key, {}).get(locale, key.title())


def _cities(raw: str) -> tuple[str, ...]:
    return tuple(city_key(part) for part in raw.split(",") if part.strip()) or ("almaty",)


@dataclass(frozen=True)
class CheckoutRules:
    """How long checkout holds, how much one buyer may hold unpaid, and what delivery costs where."""

    reservation_minutes: int = 30
    courier_fee_minor: int = 150_000
    post_fee_minor: int = 250_000
    courier_cities: tuple[str, ...] = ("almaty",)
    max_order_units: int = 30  # kits and seats in one unpaid order
    max_order_total_minor: int = 10_000_000_000  # 100 000 000 ₸: larger orders are arranged with the farm
    max_unpaid_orders: int = 3  # unpaid orders holding stock per buyer (visitor, e-mail, account, address)
    max_held_units: int = 40  # units and seats those orders hold together

    @classmethod
    def from_config(cls, config: Mapping) -> "CheckoutRules":
        return cls(
            reservation_minutes=config["RESERVATION_MINUTES"], courier_fee_minor=config["DELIVERY_FEE_COURIER"],
            post_fee_minor=config["DELIVERY_FEE_POST"], courier_cities=_cities(config["COURIER_CITIES"]),
            max_order_units=config["HOLD_MAX_ORDER_UNITS"], max_unpaid_orders=config["HOLD_MAX_UNPAID_ORDERS"],
            max_held_units=config["HOLD_MAX_BUYER_UNITS"], max_order_total_minor=config["MAX_ORDER_TOTAL_MINOR"],
        )

    def delivery_fee(self, method: str, *, needs_delivery: bool) -> int:
        """Return the fee in tiyn; a cart of course seats alone ships nothing and costs nothing."""
        if not needs_delivery or method == "pickup":
            return 0
        return {"courier": self.courier_fee_minor, "post": self.post_fee_minor}[method]

    def courier_serves(self, city: str) -> bool:
        """Return whether the courier delivers to ``city``, however it is written."""
        return city_key(city) in self.courier_cities

    def courier_city_names(self, locale: str) -> str:
        return ", ".join(city_name(key, locale) for key in self.courier_cities)


@dataclass(frozen=True)
class ShopSettings:
    """Everything the services need from the configuration, typed."""

    checkout: CheckoutRules
    staff_email: str  # where staff notices go: paid orders to pack, low stock
    staff_locale: str  # the language staff notices are written in

    @classmethod
    def from_config(cls, config: Mapping) -> "ShopSettings":
        return cls(checkout=CheckoutRules.from_config(config), staff_email=config["STAFF_EMAIL"],
                   staff_locale=config["BABEL_DEFAULT_LOCALE"])


def register_settings(app: Flask) -> None:
    """Build the typed settings once, from the app's final configuration."""
    app.extensions["shop_settings"] = ShopSettings.from_config(app.config)


def shop_settings() -> ShopSettings:
    """Return the current app's typed settings."""
    return current_app.extensions["shop_settings"]
