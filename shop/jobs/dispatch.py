"""Start jobs once the transaction that asked for them has committed, never before and never on rollback.

Every ``OutboxMessage`` a transaction adds asks for its own "send-message" job. After the commit, the job is
handed to a thread of this process, which either runs it here (no ``BROKER_URL``: the embedded default) or
publishes it to the broker for the workers. The request never waits for the mail server or the broker, and
if either is down the message stays in the outbox for the periodic sweep.
"""
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import OutboxMessage
from .work import JOBS

logger = logging.getLogger("shop.jobs")
_PENDING = "shop.jobs.pending"
_EXECUTOR = "shop.jobs.executor"
_LOCK = threading.Lock()


def after_commit(name: str, *args) -> None:
    """Run job ``name`` with ``args`` once the current transaction commits."""
    db.session().info.setdefault(_PENDING, []).append((name, args))


def _note_new_messages(session: Session, _context) -> None:
    pending = session.info.setdefault(_PENDING, [])
    pending.extend(("send-message", (item.id,)) for item in session.new if isinstance(item, OutboxMessage))


def _start_pending(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint is released: the jobs wait for the outermost commit
    pending = session.info.pop(_PENDING, None)
    if pending:
        app = current_app._get_current_object()
        for name, args in pending:
            start(app, name, *args)


def _forget_pending(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back (a commit took them already)


def track_jobs() -> None:
    """Have every ``db.session`` transaction start the jobs it asked for after it commits."""
    session_class = db.session.session_factory.class_
    for name, handler in (("after_flush", _note_new_messages), ("after_commit", _start_pending),
                          ("after_transaction_end", _forget_pending)):
        if not event.contains(session_class, name, handler):
            event.listen(session_class, name, handler)


def _executor(app: Flask) -> ThreadPoolExecutor:
    """Return this process's job thread (made afresh in each process a server forks)."""
    kept = app.extensions.get(_EXECUTOR)
    if kept is None or kept[0] != os.getpid():
        with _LOCK:
            kept = app.extensions.get(_EXECUTOR)
            if kept is None or kept[0] != os.getpid():
                kept = app.extensions[_EXECUTOR] = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="jobs"))
    return kept[1]


def start(app: Flask, name: str, *args) -> Future | None:
    """Hand job ``name`` to this process's job thread; None when jobs after commit are switched off (tests)."""
    if not app.config["JOBS_AFTER_COMMIT"]:
        return None
    return _executor(app).submit(_run_or_publish, app, name, args)


def _run_or_publish(app: Flask, name: str, args: tuple) -> None:
    with app.app_context():
        try:
            if app.config["BROKER_URL"]:
                from .celery_app import celery_for  # Celery is imported only where a broker is used

                celery_for(app).send_task(f"shop.{name}", args=list(args))
            else:
                JOBS[name](*args)
        except Exception:  # the outbox keeps the message; the sweep sends it later
            logger.exception("job %s%r could not run after commit; the periodic sweep will retry", name, args)
        finally:
            db.session.remove()


def wait_for_jobs(app: Flask) -> None:
    """Block until every job handed to this process's job thread so far has finished (tests, shutdown)."""
    _executor(app).submit(lambda: None).result(timeout=30)
