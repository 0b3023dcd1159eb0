"""Database plumbing: an aware-UTC column type, engine tuning and the unit-of-work helper."""
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator

from .extensions import db

_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)

# Pauses between attempts to open a PostgreSQL connection: about four seconds in all, the time a
# restarting server refuses connections, so that a restart costs only the requests in flight.
CONNECT_RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    # Take transaction control away from pysqlite so that BEGIN is ours to emit.
    dbapi_connection.isolation_level = None
    # SQLite's own lower() folds ASCII only; PostgreSQL's folds every script, so "ОМАРОВА" finds "Омарова"
    # on both (ILIKE compiles to lower() on SQLite). No index is built on lower(), so replacing it is safe.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")


def _connect_patiently(dialect, _record, cargs, cparams):
    """Open a DBAPI connection, waiting out a server that is restarting before giving up."""
    for delay in CONNECT_RETRY_DELAYS:
        try:
            return dialect.loaded_dbapi.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError:
            time.sleep(delay)
    return dialect.loaded_dbapi.connect(*cargs, **cparams)


def tune_engine(engine: Engine) -> None:
    """Give SQLite WAL, a busy timeout and IMMEDIATE write transactions; let PostgreSQL connect patiently."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "do_connect", _connect_patiently)
        return
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)


def _end_session(_error: BaseException | None = None) -> None:
    try:
        db.session.remove()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        db.session.remove()  # the connection is discarded now; this closes the session itself


def end_sessions_safely(app: Flask) -> None:
    """End each request's session without failing its answer when the server dropped the connection after
    the last query (a restart mid-request): the rollback cannot reach it, and needs not, since the server
    rolled back already. Runs before Flask-SQLAlchemy's own teardown, which then finds nothing left to do."""
    app.teardown_appcontext(_end_session)


def begin_write() -> None:
    """End any read transaction and begin a write transaction.

    On SQLite a deferred transaction that read first and writes later fails with
    "database is locked" when another writer got in between; beginning IMMEDIATE makes
    writers queue behind the busy timeout instead. Nothing was written yet, so the
    rollback only expires loaded objects, which reload on access.
    """
    session = db.session()
    if session.in_transaction():
        session.rollback()
    token = _begin_immediate.set(True)
    try:
        session.connection()
    finally:
        _begin_immediate.reset(token)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run the block as one write transaction: commit on success, roll back and re-raise on error."""
    begin_write()
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def is_postgres() -> bool:
    """Return True when the shop runs on PostgreSQL (row locks with FOR UPDATE are real there)."""
    return db.engine.dialect.name == "postgresql"
