"""Fingerprinted static URLs (``?v=<hash>``) served with a year of caching."""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request

from .i18n import shared_url

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=512)
def _fingerprint(folder: str, filename: str) -> str:
    path = Path(folder) / filename
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "0"


def static_url(filename: str) -> str:
    """Return the URL of a static file with its content hash, so a change busts every cache."""
    version = _fingerprint(current_app.static_folder, filename)
    return shared_url("static", filename=filename, v=version)


class ShopFlask(Flask):
    """Flask whose fingerprinted static files may be cached for a year."""

    def get_send_file_max_age(self, filename):
        if request.args.get("v"):
            return YEAR
        return super().get_send_file_max_age(filename)


def register_assets(app: Flask) -> None:
    app.jinja_env.globals.update(static_url=static_url, shared_url=shared_url)
