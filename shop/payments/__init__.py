from flask import Blueprint

bp = Blueprint("payments", __name__)

from . import views  # noqa: E402,F401
