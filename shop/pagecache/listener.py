"""PostgreSQL: the generation kept in each process's memory, told of every bump by ``NOTIFY``.

A first-time visitor's page then costs no round trip to the database at all. Each bump notifies the new number
as its transaction commits (``generation.bump_statement``); a thread per process listens on a connection of its
own and also reads the number every second, which both catches up and proves the connection alive. The number
in memory is trusted only while that proof is fresh (``TRUSTED_FOR``); a listener that lost its connection, or
has not started yet, makes every request read the number from the database as before.

Only a visitor with no session is served by it (see ``shop.pagecache``): someone who has acted, and could
have just changed stock, always gets the number from the database, so nobody sees a page older than their
own change; and a commit in this process is known here at once, before its notice comes back. A visitor who
has not acted can at most be served the page as it was until the notice reaches the other processes, a
fraction of a millisecond after the commit: as if their request had come in that much earlier.
"""
import logging
import os
import threading
import time

CHANNEL = "shop_page_cache"
CONFIRM_EVERY = 1.0  # seconds between reads of the number on the listening connection
TRUSTED_FOR = 3.0  # seconds a confirmed number is believed without a fresh confirmation

logger = logging.getLogger("shop.pagecache")


class GenerationListener:
    """Keep the latest generation heard on ``CHANNEL``; ``current()`` gives it while it can be trusted."""

    def __init__(self, engine, read_sql: str) -> None:
        self._engine, self._read_sql = engine, read_sql
        self._pid: int | None = None
        self._value: int | None = None
        self._confirmed_at = 0.0
        self._stopped = threading.Event()
        self.backend_pid: int | None = None  # the server process of the listening connection (tests end it)

    def current(self) -> int | None:
        """Return the generation heard most recently, or None when it cannot be vouched for."""
        if self._pid != os.getpid():
            self._start()  # first use in this process (gunicorn forks after the app is built)
            return None
        if time.monotonic() - self._confirmed_at > TRUSTED_FOR:
            return None
        return self._value

    def _start(self) -> None:
        self._pid, self._value, self._confirmed_at = os.getpid(), None, 0.0
        threading.Thread(target=self._listen_forever, name="page-cache-listener", daemon=True).start()

    def heard_here(self, value: int) -> None:
        """Take the number a commit in this process has just made (its notice follows)."""
        if self._pid == os.getpid():
            self._value = value

    def _heard(self, value: int | None) -> None:
        self._value, self._confirmed_at = value, time.monotonic()

    def _listen_forever(self) -> None:
        errors = (self._engine.dialect.loaded_dbapi.Error, OSError)
        while not self._stopped.is_set() and self._pid == os.getpid():
            try:
                self._listen()
            except errors as error:
                self._confirmed_at = 0.0  # distrust at once; requests read the database meanwhile
                logger.warning("page cache listener lost its connection (%s); retrying", type(error).__name__)
                self._stopped.wait(1.0)

    def _listen(self) -> None:
        pooled = self._engine.raw_connection()
        pooled.detach()  # ours alone: never handed back to the pool
        connection = pooled.dbapi_connection
        try:
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            self.backend_pid = connection.info.backend_pid
            while not self._stopped.is_set():
                row = connection.execute(self._read_sql).fetchone()
                self._heard(row[0] if row else None)
                for notice in connection.notifies(timeout=CONFIRM_EVERY):
                    self._heard(int(notice.payload))  # a notice also proves the connection alive
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop listening (tests; a process ending takes the daemon thread with it)."""
        self._stopped.set()
