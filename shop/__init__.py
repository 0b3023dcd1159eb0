"""The City Farm shop: ``create_app()`` builds the Flask application."""
import os
from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .assets import ShopFlask, register_assets
from .caching import register_caching
from .config import ROOT, check_settings, load_settings
from .database import end_sessions_safely, tune_engine
from .errors import register_error_handlers
from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from .i18n import register_i18n, select_locale
from .log import configure_logging
from .pagecache import register_page_cache
from .security import register_converters, register_security
from .sessions import SessionCookies
from .templating import register_template_helpers


def create_app(overrides: Mapping | None = None, env: Mapping[str, str] | None = None) -> Flask:
    """Build the shop from environment settings, with ``overrides`` (used by tests) applied last."""
    app = ShopFlask(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(load_settings(os.environ if env is None else env))
    if overrides:
        app.config.update(overrides)
    check_settings(app.config)
    app.session_interface = SessionCookies()
    os.makedirs(app.instance_path, exist_ok=True)
    configure_logging(app)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_i18n(app)
    register_assets(app)
    register_template_helpers(app)
    register_cli(app)
    register_caching(app)
    register_page_cache(app)
    if app.config["TRUSTED_PROXY_COUNT"]:
        count = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        tune_engine(db.engine)
    end_sessions_safely(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    compress.init_app(app)
    limiter.init_app(app)

    from . import models  # noqa: F401  (register every model before anything queries)
    from .accounts.services import user_for_session

    login_manager.user_loader(user_for_session)


def register_blueprints(app: Flask) -> None:
    from . import accounts, admin, api, cart, catalog, checkout, courses, learn, orders, payments

    for feature in (catalog, courses, cart, checkout, payments, orders, accounts, learn, admin, api):
        app.register_blueprint(feature.bp)


def register_cli(app: Flask) -> None:
    from .cli import shop_cli

    app.cli.add_command(shop_cli)
