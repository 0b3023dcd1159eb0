"""The cache generation: bumped in every transaction that changes what a storefront page shows, read cheaply.

Writes are noticed at the session: a flush with new, changed or deleted rows of a table a page reads, and
bulk ``UPDATE``/``DELETE``/``INSERT`` statements run through the session, which no flush sees
(``move_stock``'s conditional UPDATE, ``release_holds``, the cart deleted on payment). The bump itself is
the last statement before COMMIT, so its row lock is the last one a transaction takes and is held only
for the commit: writers that lock products and cohorts by id never wait on it while holding it.
"""
import os
import secrets
import threading
import weakref

from sqlalchemy import Text, cast, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, object_mapper

from ..extensions import db
from ..models.cache import GENERATION_ID, CacheGeneration
from .listener import CHANNEL, GenerationListener

# Tables no storefront page reads. Every other table counts, so a table added later invalidates by default.
UNSEEN_TABLES = frozenset({
    "cache_generation", "user", "cart", "cart_line", "shop_order", "order_line", "order_event", "payment",
    "refund", "processed_event", "outbox_message", "audit_entry", "attendance", "stock_notice",
})
READ_SQL = f"SELECT value FROM cache_generation WHERE id = {GENERATION_ID}"
_CHANGED = "page_cache_changed"  # in Session.info: this transaction changed what a page shows
_BUMPED = "page_cache_bumped"  # in Session.info: (engine, the number this transaction's bump wrote)
_listeners: "weakref.WeakKeyDictionary[object, GenerationListener]" = weakref.WeakKeyDictionary()
_unseen_deletes: frozenset[str] = frozenset()  # unseen tables whose deletes reach no seen table


def _unseen_when_deleted(metadata) -> frozenset[str]:
    """Return the unseen tables whose deleted rows change no seen table through ON DELETE actions.

    Deleting a cart sets ``waitlist_entry.cart_id`` to NULL inside the database, where no event sees it,
    so deleting a cart counts as changing the waiting list; deleting an order takes its holds with it.
    """
    followers: dict[str, list[tuple[str, bool]]] = {}
    for table in metadata.tables.values():
        for key in table.foreign_keys:
            action = (key.ondelete or "").upper()
            if action in ("CASCADE", "SET NULL", "SET DEFAULT"):
                followers.setdefault(key.column.table.name, []).append((table.name, action == "CASCADE"))

    def reach(name: str, seen: set[str]) -> set[str]:
        for follower, cascades in followers.get(name, ()):
            if follower not in seen:
                seen.add(follower)
                if cascades:
                    reach(follower, seen)
        return seen

    return frozenset(name for name in UNSEEN_TABLES if reach(name, {name}) <= UNSEEN_TABLES)


def _is_seen(table_name: str | None, *, deleting: bool) -> bool:
    return table_name not in (_unseen_deletes if deleting else UNSEEN_TABLES)


def _note_flush(session: Session, _context) -> None:
    if session.info.get(_CHANGED):
        return
    changed = [*session.new, *(obj for obj in session.dirty if session.is_modified(obj))]
    for objects, deleting in ((changed, False), (session.deleted, True)):
        for obj in objects:
            if any(_is_seen(table.name, deleting=deleting) for table in object_mapper(obj).tables):
                session.info[_CHANGED] = True
                return


def _note_statement(state: ORMExecuteState) -> None:
    if state.is_select or state.session.info.get(_CHANGED):
        return
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        changed = _is_seen(getattr(table, "name", None), deleting=state.is_delete)
    else:  # text() or DDL: anything but a plain SELECT counts
        changed = not str(state.statement).lstrip().lower().startswith("select")
    if changed:
        state.session.info[_CHANGED] = True


def bump_statement(dialect: str):
    """Return one statement adding 1 to the generation, or writing its row back if it went missing.

    A row written back starts at a random number, so no page kept under an old number matches again.
    On PostgreSQL the new number is also announced to every process listening (``listener``), at the commit.
    """
    table = CacheGeneration.__table__
    if dialect not in ("postgresql", "sqlite"):
        return table.update().where(table.c.id == GENERATION_ID).values(value=table.c.value + 1)
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    upsert = insert(table).values(id=GENERATION_ID, value=secrets.randbits(62)).on_conflict_do_update(
        index_elements=[table.c.id], set_={"value": table.c.value + 1})
    if dialect == "sqlite":
        return upsert
    bumped = upsert.returning(table.c.value).cte("bumped")
    return select(func.pg_notify(CHANNEL, cast(bumped.c.value, Text)), bumped.c.value)


def _bump_before_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint is released: the outermost commit bumps
    session.flush()
    if session.info.pop(_CHANGED, False):
        engine = session.get_bind()
        bumped = session.execute(bump_statement(engine.dialect.name))
        if engine in _listeners:
            session.info[_BUMPED] = (engine, bumped.one()[1])


def _tell_this_process(session: Session) -> None:
    """Let this process's listener know the number its own commit made, without waiting for the notice."""
    bumped = session.info.pop(_BUMPED, None)
    if bumped is not None:
        engine, value = bumped
        listener = _listeners.get(engine)
        if listener is not None:
            listener.heard_here(value)


def _forget_changes(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_BUMPED, None)


def track_changes() -> None:
    """Have every ``db.session`` transaction that changes what a page shows bump the generation."""
    global _unseen_deletes
    _unseen_deletes = _unseen_when_deleted(db.metadata)
    session_class = db.session.session_factory.class_
    for name, handler in (("after_flush", _note_flush), ("do_orm_execute", _note_statement),
                          ("before_commit", _bump_before_commit), ("after_commit", _tell_this_process),
                          ("after_transaction_end", _forget_changes)):
        if not event.contains(session_class, name, handler):
            event.listen(session_class, name, handler)


class GenerationReader:
    """Read the generation on a connection of its own, outside any transaction: one statement a request.

    The request's session is left alone, so a page served from the store takes no pooled connection,
    no BEGIN and no ROLLBACK. The number is read before the page's own queries, whatever transaction
    they run in, so a page is never rendered from data older than the number it is kept under.
    """

    def __init__(self, engine) -> None:
        self._engine = engine
        self._errors = (engine.dialect.loaded_dbapi.Error, DBAPIError)
        self._lock = threading.Lock()
        self._listener = None
        if engine.dialect.name == "postgresql":
            self._listener = _listeners[engine] = GenerationListener(engine, READ_SQL)
        self._start_afresh()
        event.listen(engine, "engine_disposed", self.close)

    def _start_afresh(self) -> None:
        """Forget connections made before a fork: the parent's, not ours to use or close."""
        self._pid, self._local, self._opened = os.getpid(), threading.local(), []

    def _connect(self):
        connection = self._engine.raw_connection()
        connection.detach()  # ours alone from now on: closing it really closes it
        connection.rollback()
        if self._engine.dialect.name == "postgresql":
            connection.dbapi_connection.autocommit = True  # SQLite's connections run without BEGIN already
        self._local.connection = connection
        with self._lock:
            self._opened.append(connection)
        return connection

    def read(self, *, may_be_heard: bool = False) -> int | None:
        """Return the generation, or None when its row is missing or the database cannot be read.

        ``may_be_heard``: the number announced to this process will do (for a visitor who has not acted yet).
        """
        if may_be_heard and self._listener is not None:
            heard = self._listener.current()
            if heard is not None:
                return heard
        return self.read_from_database()

    @property
    def listener(self) -> GenerationListener | None:
        return self._listener

    def read_from_database(self) -> int | None:
        """Return the generation as the database has it now (one statement on this thread's connection)."""
        if self._pid != os.getpid():
            self._start_afresh()
        connection = getattr(self._local, "connection", None)
        try:
            connection = connection or self._connect()
            cursor = connection.cursor()
            try:
                cursor.execute(READ_SQL)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except self._errors:
            self._drop(connection)  # the server went away or the table is missing: try afresh next time
            return None
        return row[0] if row else None

    def _drop(self, connection) -> None:
        self._local.connection = None
        if connection is None:
            return
        with self._lock:
            if connection in self._opened:
                self._opened.remove(connection)
        try:
            connection.dbapi_connection.close()  # no rollback first: on a dead connection it fails and logs
        except self._errors:
            pass

    def close(self, _engine=None) -> None:
        """Close every connection opened for reading (when the engine is disposed)."""
        if self._listener is not None:
            self._listener.stop()
        with self._lock:
            opened, self._opened = self._opened, []
        self._local = threading.local()
        for connection in opened:
            try:
                connection.close()
            except self._errors:
                pass
