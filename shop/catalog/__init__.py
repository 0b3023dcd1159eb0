from flask import Blueprint

bp = Blueprint("catalog", __name__)

from . import uploads, views  # noqa: E402,F401
