"""The City Farm shop: ``create_app()`` builds the Flask application."""
import os
from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import models  # noqa: F401  (every model registered before anything queries)
from .accounts.services import user_for_session
from .accounts.views import bp as accounts_blueprint
from .admin.views import bp as admin_blueprint
from .api.views import bp as api_blueprint
from .assets import ShopFlask, register_assets
from .caching import register_caching
from .cart.views import bp as cart_blueprint
from .catalog.views import bp as catalog_blueprint
from .checkout.views import bp as checkout_blueprint
from .cli import shop_cli
from .config import ROOT, check_settings, load_settings
from .courses.views import bp as courses_blueprint
from .database import end_sessions_safely, tune_engine
from .errors import register_error_handlers
from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from .i18n import register_i18n, select_locale
from .jobs.dispatch import track_jobs
from .learn.views import bp as learn_blueprint
from .log import configure_logging
from .orders.views import bp as orders_blueprint
from .pagecache import register_page_cache
from .pages.views import bp as pages_blueprint
from .payments.views import bp as payments_blueprint
from .same_origin import register_same_origin
from .security import register_converters, register_security
from .seo.tags import register_seo
from .seo.views import bp as seo_blueprint
from .sessions import SessionCookies
from .settings import register_settings
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
    register_settings(app)
    app.session_interface = SessionCookies()
    os.makedirs(app.instance_path, exist_ok=True)
    configure_logging(app)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_same_origin(app)
    register_i18n(app)
    register_assets(app)
    register_template_helpers(app)
    register_seo(app)
    register_cli(app)
    register_caching(app)
    register_page_cache(app)
    track_jobs()
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

    login_manager.user_loader(user_for_session)


def register_blueprints(app: Flask) -> None:
    for blueprint in (catalog_blueprint, courses_blueprint, cart_blueprint, checkout_blueprint, payments_blueprint,
                      orders_blueprint, accounts_blueprint, learn_blueprint, admin_blueprint, api_blueprint,
                      seo_blueprint, pages_blueprint):
        app.register_blueprint(blueprint)


def register_cli(app: Flask) -> None:
    app.cli.add_command(shop_cli)
