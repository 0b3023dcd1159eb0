import pytest

from shop import create_app
from shop.config import ConfigError, check_settings, load_settings

PRODUCTION = {"SHOP_ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u@h/db",
              "PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
              "SHOP_BASE_URL": "https://cityfarm.kz", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}


def test_a_safe_production_configuration_is_accepted():
    check_settings(load_settings(PRODUCTION))


@pytest.mark.parametrize(("change", "reason"), [
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"PAYMENT_PROVIDER": "dummy"}, "ALLOW_DUMMY_PAYMENTS"),
    ({"PAYMENT_METHODS": "tiptoppay,dummy"}, "ALLOW_DUMMY_PAYMENTS"),
    ({"PAYMENT_METHODS": "tiptoppay"}, "TIPTOPPAY_PUBLIC_ID"),
    ({"PAYMENT_METHODS": "tiptoppay", "TIPTOPPAY_PUBLIC_ID": "pk", "TIPTOPPAY_API_SECRET": "s"}, "TIPTOPPAY_INN"),
    ({"PAYMENT_METHODS": "kaspi,paypal"}, "paypal"),
    ({"TIPTOPPAY_VAT_RATE": "20"}, "TIPTOPPAY_VAT_RATE"),
    ({"DATABASE_URL": "sqlite:///x.db"}, "ALLOW_SQLITE"),
    ({"FLASK_DEBUG": "1"}, "debug"),
    ({"STRIPE_SECRET_KEY": ""}, "STRIPE_SECRET_KEY"),
    ({"SHOP_BASE_URL": ""}, "SHOP_BASE_URL"),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
    ({"RATELIMIT_STORAGE_URI": ""}, "RATELIMIT_STORAGE_URI"),
])
def test_production_refuses_an_unsafe_start_and_says_why(change, reason):
    with pytest.raises(ConfigError, match=reason):
        create_app(env={**PRODUCTION, **change})


def test_dummy_payments_and_sqlite_are_allowed_in_production_when_asked_for():
    check_settings(load_settings({**PRODUCTION, "PAYMENT_PROVIDER": "dummy", "ALLOW_DUMMY_PAYMENTS": "1",
                                  "DATABASE_URL": "sqlite:///x.db", "ALLOW_SQLITE": "1"}))


def test_development_makes_a_secret_key_once_and_every_worker_and_restart_shares_it(tmp_path):
    first = load_settings({}, instance=tmp_path)["SECRET_KEY"]
    assert len(first) >= 32
    assert load_settings({}, instance=tmp_path)["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert load_settings({"SECRET_KEY": "given"}, instance=tmp_path)["SECRET_KEY"] == "given"


def test_many_workers_starting_at_once_agree_on_one_development_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: load_settings({}, instance=tmp_path)["SECRET_KEY"], range(16)))
    assert len(keys) == 1 and [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_development_defaults_to_sqlite_in_instance():
    settings = load_settings({})
    database = settings["SQLALCHEMY_DATABASE_URI"]
    assert database.startswith("sqlite:///") and "instance" in database
    assert settings["PAYMENT_METHODS"] == ("dummy",) and settings["RESERVATION_MINUTES"] == 30


def test_payment_methods_are_offered_in_order_and_the_older_single_provider_form_still_works():
    assert load_settings({"PAYMENT_METHODS": "TipTopPay, kaspi,dummy,kaspi"})["PAYMENT_METHODS"] == (
        "tiptoppay", "kaspi", "dummy")
    assert load_settings({"PAYMENT_PROVIDER": "stripe"})["PAYMENT_METHODS"] == ("stripe",)
    assert load_settings({"PAYMENT_PROVIDER": "stripe", "PAYMENT_METHODS": "kaspi"})["PAYMENT_METHODS"] == ("kaspi",)


def test_a_production_shop_taking_tiptop_and_kaspi_is_accepted():
    check_settings(load_settings({**PRODUCTION, "PAYMENT_METHODS": "tiptoppay,kaspi", "TIPTOPPAY_PUBLIC_ID": "pk_x",
                                  "TIPTOPPAY_API_SECRET": "secret", "TIPTOPPAY_INN": "123456789012",
                                  "TIPTOPPAY_VAT_RATE": "16"}))


def test_a_plain_postgres_url_is_given_the_psycopg_driver():
    assert load_settings({"DATABASE_URL": "postgresql://u@h/db"})["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_a_non_numeric_reservation_time_is_refused_with_its_name():
    with pytest.raises(ConfigError, match="RESERVATION_MINUTES"):
        load_settings({"RESERVATION_MINUTES": "soon"})


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="SHOP_ENV"):
        load_settings({"SHOP_ENV": "staging"})
