"""Serve pictures uploaded by staff from ``UPLOAD_FOLDER``; their random names never change, so they cache long."""
from flask import current_app, send_from_directory

from ..assets import YEAR
from . import bp


@bp.get("/uploads/<path:filename>")
def upload(filename: str):
    """Send an uploaded picture (safe-joined under the upload folder; unknown names are 404)."""
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], filename, max_age=YEAR)
