"""WSGI entry point: ``gunicorn wsgi:app``."""
import sys

from dotenv import load_dotenv

load_dotenv()

from shop import create_app  # noqa: E402
from shop.config import ConfigError  # noqa: E402

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"City Farm shop: {error}")
