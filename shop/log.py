"""Logging: one structured line per record, each stamped with the request id."""
import json
import logging

from flask import Flask, g, has_request_context


class RequestIdFilter(logging.Filter):
    """Stamp each log record with the request id, or ``-`` outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def configure_logging(app: Flask) -> None:
    """Log JSON lines in production and readable lines elsewhere, always with the request id."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    production = app.config["SHOP_ENV"] == "production"
    handler.setFormatter(JsonFormatter() if production else logging.Formatter(TEXT_FORMAT))
    for name in ("shop", app.logger.name):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.setLevel(logging.INFO)
        log.propagate = False
