"""Settings read from the environment, and the checks that refuse an unsafe production start."""
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

ENVIRONMENTS = ("development", "testing", "production")
PAYMENT_METHODS = ("tiptoppay", "kaspi", "stripe", "dummy")
VAT_RATES = ("", "0", "12", "16")  # "": sold without VAT


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to fix."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def development_secret_key(instance: Path = INSTANCE) -> str:
    """Return the development secret key kept in ``instance/secret_key``, made on first use.

    Every worker and every restart then signs sessions and forms with the same key. The file is
    written aside and linked into place, which fails if another worker got there first; then its key
    is the one read.
    """
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        draft = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _secret_key(env: Mapping[str, str], shop_env: str, instance: Path) -> str:
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    if shop_env == "development":
        return development_secret_key(instance)
    return "" if shop_env == "production" else secrets.token_hex(32)


def _payment_methods(env: Mapping[str, str]) -> tuple[str, ...]:
    """Return the methods offered at checkout, in order (``PAYMENT_PROVIDER`` is the older one-method form)."""
    raw = env.get("PAYMENT_METHODS") or env.get("PAYMENT_PROVIDER") or "dummy"
    return tuple(dict.fromkeys(part.strip().lower() for part in raw.split(",") if part.strip()))


def load_settings(env: Mapping[str, str] = os.environ, *, instance: Path = INSTANCE) -> dict:
    """Return Flask settings built from environment variables (see README, "Configuration")."""
    shop_env = env.get("SHOP_ENV", "development")
    if shop_env not in ENVIRONMENTS:
        raise ConfigError(f"SHOP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {shop_env!r}")
    production = shop_env == "production"
    database_url = env.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'shop.sqlite3'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        "SHOP_ENV": shop_env,
        "TESTING": shop_env == "testing",
        "DEBUG": _flag(env.get("FLASK_DEBUG")),
        "SECRET_KEY": _secret_key(env, shop_env, instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PAYMENT_METHODS": _payment_methods(env),
        "TIPTOPPAY_PUBLIC_ID": env.get("TIPTOPPAY_PUBLIC_ID") or None,
        "TIPTOPPAY_API_SECRET": env.get("TIPTOPPAY_API_SECRET") or None,
        "TIPTOPPAY_API_BASE": (env.get("TIPTOPPAY_API_BASE") or "https://api.tiptoppay.kz").rstrip("/"),
        "TIPTOPPAY_INN": (env.get("TIPTOPPAY_INN") or "").strip(),
        "TIPTOPPAY_VAT_RATE": (env.get("TIPTOPPAY_VAT_RATE") or "").strip(),
        "TIPTOPPAY_TAXATION_SYSTEM": _int(env, "TIPTOPPAY_TAXATION_SYSTEM", 0),
        "TIPTOPPAY_PAGE_ORIGINS": env.get("TIPTOPPAY_PAGE_ORIGINS") or "https://*.tiptoppay.kz https://*.cloudpayments.kz",
        "KASPI_HOLD_MINUTES": _int(env, "KASPI_HOLD_MINUTES", 120),
        "ALLOW_DUMMY_PAYMENTS": _flag(env.get("ALLOW_DUMMY_PAYMENTS")),
        "ALLOW_SQLITE": _flag(env.get("ALLOW_SQLITE")),
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY"),
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY"),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET"),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,
        "RESERVATION_MINUTES": _int(env, "RESERVATION_MINUTES", 30),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int(env, "MAIL_PORT", 587),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "City Farm <shop@cityfarm.kz>"),
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 10),
        # STARTTLS unless the server listens on 25 (a local relay); MAIL_STARTTLS=0/1 says so outright.
        "MAIL_STARTTLS": _flag(env["MAIL_STARTTLS"]) if env.get("MAIL_STARTTLS") else _int(env, "MAIL_PORT", 587) != 25,
        "MAIL_REPLY_TO": env.get("MAIL_REPLY_TO") or None,  # when staff entered no contact e-mail
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_ENABLED": _flag(env.get("RATELIMIT_ENABLED", "1")),
        "RATELIMIT_HEADERS_ENABLED": True,
        "TRUSTED_PROXY_COUNT": _int(env, "TRUSTED_PROXY_COUNT", 0),
        "SHOP_BASE_URL": (env.get("SHOP_BASE_URL") or "").rstrip("/") or None,
        "DELIVERY_FEE_COURIER": _int(env, "DELIVERY_FEE_COURIER", 150000),
        "DELIVERY_FEE_POST": _int(env, "DELIVERY_FEE_POST", 250000),
        "COURIER_CITIES": env.get("COURIER_CITIES") or "Almaty",
        "HOLD_MAX_ORDER_UNITS": _int(env, "HOLD_MAX_ORDER_UNITS", 30),
        "HOLD_MAX_UNPAID_ORDERS": _int(env, "HOLD_MAX_UNPAID_ORDERS", 3),
        "HOLD_MAX_BUYER_UNITS": _int(env, "HOLD_MAX_BUYER_UNITS", 40),
        "MAX_ORDER_TOTAL_MINOR": _int(env, "MAX_ORDER_TOTAL_MINOR", 10_000_000_000),
        "STAFF_EMAIL": env.get("STAFF_EMAIL", "staff@cityfarm.kz"),
        "UPLOAD_FOLDER": env.get("UPLOAD_FOLDER") or str(INSTANCE / "uploads"),
        "MEDIA_STORAGE": (env.get("MEDIA_STORAGE") or "local").strip().lower(),
        "S3_BUCKET": env.get("S3_BUCKET") or None,
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL") or None,
        "S3_ACCESS_KEY_ID": env.get("S3_ACCESS_KEY_ID") or None,
        "S3_SECRET_ACCESS_KEY": env.get("S3_SECRET_ACCESS_KEY") or None,
        "S3_REGION": env.get("S3_REGION") or None,
        "MEDIA_BASE_URL": (env.get("MEDIA_BASE_URL") or "").rstrip("/") or None,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "ru",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "shop" / "translations"),
        "SEND_FILE_MAX_AGE_DEFAULT": 0,
        "PAGE_CACHE": _flag(env.get("PAGE_CACHE", "1")),  # exact server-side cache of storefront pages
        "BROKER_URL": env.get("BROKER_URL") or None,
        "JOBS_QUEUE": env.get("JOBS_QUEUE") or "shop",  # the broker queue; two shops on one broker need two
        # Start each commit's jobs (its e-mails) right after it; tests switch it off and run jobs themselves.
        "JOBS_AFTER_COMMIT": _flag(env.get("JOBS_AFTER_COMMIT", "0" if shop_env == "testing" else "1")),
        **COMPRESSION,
    }


# Brotli first; gzip for static files too, which Flask-Compress streams and by default leaves uncompressed
# for gzip-only clients. Product and course pages carry each visitor's CSRF token, so they are compressed on
# every request: brotli quality 2 takes ~45 µs on a 6 KB page against ~125 µs at quality 5, for ~450 bytes
# more. Pages the same for everyone are compressed once per change (see shop.pagecache).
COMPRESSION = {
    "COMPRESS_ALGORITHM": ["br", "gzip", "zstd", "deflate"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip", "zstd", "deflate"],
    "COMPRESS_BR_LEVEL": 2,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
}


def check_settings(settings: Mapping) -> None:
    """Raise ConfigError naming each unsafe or missing setting; production is strict."""
    problems = _payment_problems(settings) + _media_problems(settings)
    if settings["SHOP_ENV"] == "production":
        if not settings["SECRET_KEY"]:
            problems.append("SECRET_KEY is not set")
        if settings["DEBUG"]:
            problems.append("debug mode is on (FLASK_DEBUG)")
        if "dummy" in settings["PAYMENT_METHODS"] and not settings["ALLOW_DUMMY_PAYMENTS"]:
            problems.append("PAYMENT_METHODS offers dummy (set ALLOW_DUMMY_PAYMENTS=1 to allow it)")
        if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not settings["ALLOW_SQLITE"]:
            problems.append("DATABASE_URL is SQLite (set ALLOW_SQLITE=1 to allow it)")
        if "stripe" in settings["PAYMENT_METHODS"] and not settings["STRIPE_WEBHOOK_SECRET"]:
            problems.append("stripe needs STRIPE_WEBHOOK_SECRET")
        if "tiptoppay" in settings["PAYMENT_METHODS"] and not settings["TIPTOPPAY_INN"]:
            problems.append("tiptoppay needs TIPTOPPAY_INN (the seller's BIN/IIN, for return receipts)")
        if not settings["SHOP_BASE_URL"]:
            problems.append("SHOP_BASE_URL is not set (links in e-mails are never built from the request's host)")
        if settings["RATELIMIT_ENABLED"] and settings["RATELIMIT_STORAGE_URI"].startswith("memory://"):
            problems.append("RATELIMIT_STORAGE_URI is memory:// (each worker would count alone; "
                            "use redis://, e.g. redis://127.0.0.1:6379/0)")
    if problems:
        raise ConfigError("refusing to start: " + "; ".join(problems))


def _media_problems(settings: Mapping) -> list[str]:
    storage = settings["MEDIA_STORAGE"]
    if storage not in ("local", "s3"):
        return [f"MEDIA_STORAGE: {storage!r} is not local or s3"]
    if storage == "s3":
        return [f"MEDIA_STORAGE=s3 needs {name}" for name in ("S3_BUCKET", "MEDIA_BASE_URL") if not settings[name]]
    return []


def _payment_problems(settings: Mapping) -> list[str]:
    methods = settings["PAYMENT_METHODS"]
    problems = [f"PAYMENT_METHODS: {method!r} is not one of {', '.join(PAYMENT_METHODS)}"
                for method in methods if method not in PAYMENT_METHODS]
    if not methods:
        problems.append("PAYMENT_METHODS offers no method")
    if "stripe" in methods and not settings["STRIPE_SECRET_KEY"]:
        problems.append("stripe needs STRIPE_SECRET_KEY")
    if "tiptoppay" in methods and not (settings["TIPTOPPAY_PUBLIC_ID"] and settings["TIPTOPPAY_API_SECRET"]):
        problems.append("tiptoppay needs TIPTOPPAY_PUBLIC_ID and TIPTOPPAY_API_SECRET")
    if settings["TIPTOPPAY_VAT_RATE"] not in VAT_RATES:
        problems.append(f"TIPTOPPAY_VAT_RATE must be empty (no VAT) or one of {', '.join(VAT_RATES[1:])}")
    return problems
