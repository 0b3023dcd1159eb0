"""The schedule, run by whichever scheduler holds the lock, so it runs once however many are started.

Every ``flask shop worker`` (and ``flask shop scheduler``) runs this loop. The holder of a lock in Redis (a
key with the holder's token and a short expiry, renewed each second) publishes the due jobs; the others wait
to take over when the holder dies and its lock runs out. Each run is also marked once per time slot, so even
two schedulers that both believe they hold the lock (a pause longer than the lock's life) publish a slot once.
"""
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import redis

from ..clock import utcnow

logger = logging.getLogger("shop.jobs")
LOCK_KEY = "shop:scheduler:lock"
LOCK_SECONDS = 15
_RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
          "else return 0 end")


@dataclass(frozen=True)
class Every:
    """Run ``job`` once in every ``seconds``, the slots starting ``offset`` seconds after the epoch's slots;
    with ``window``, only within that many seconds of a slot's start (a nightly job stays nightly after a
    restart at noon)."""

    job: str
    seconds: int
    offset: int = 0
    window: int | None = None

    def slot(self, now: datetime) -> int | None:
        elapsed = now.timestamp() - self.offset
        if self.window is not None and elapsed % self.seconds >= self.window:
            return None
        return int(elapsed // self.seconds)


SCHEDULE = (
    Every("release-expired", 60),
    Every("send-outbox", 60),  # the sweep: what a lost job or a dead sender left behind
    Every("send-reminders", 3600),
    Every("check-integrity", 86400, offset=22 * 3600 + 17 * 60, window=3600),  # 03:17 in Almaty (22:17 UTC)
)


class Scheduler:
    """Publish scheduled jobs through ``publish`` while this scheduler holds the lock."""

    def __init__(self, client: redis.Redis, publish: Callable[[str], None], schedule=SCHEDULE) -> None:
        self.client = client
        self.publish = publish
        self.schedule = schedule
        self.token = secrets.token_hex(8)
        self._renew = client.register_script(_RENEW)

    def holds_lock(self) -> bool:
        """Take the lock if it is free, else renew it if it is ours; return whether we hold it."""
        if self.client.set(LOCK_KEY, self.token, nx=True, px=LOCK_SECONDS * 1000):
            return True
        return bool(self._renew(keys=[LOCK_KEY], args=[self.token, LOCK_SECONDS * 1000]))

    def tick(self, now: datetime) -> list[str]:
        """Publish every job whose slot has come and was not published yet; return their names."""
        if not self.holds_lock():
            return []
        published = []
        for entry in self.schedule:
            slot = entry.slot(now)
            key = f"shop:scheduler:ran:{entry.job}:{slot}"
            if slot is not None and self.client.set(key, self.token, nx=True, ex=entry.seconds * 2):
                self.publish(entry.job)
                published.append(entry.job)
        return published

    def release(self) -> None:
        if self.client.get(LOCK_KEY) == self.token.encode():
            self.client.delete(LOCK_KEY)

    def run_forever(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Tick each second until ``stop`` says so; a Redis outage is waited out, not fatal."""
        try:
            while not stop():
                try:
                    for job in self.tick(utcnow()):
                        logger.info("scheduled %s", job)
                except (redis.RedisError, OSError) as error:
                    logger.warning("scheduler waits for Redis: %s", error)
                time.sleep(1)
        finally:
            try:
                self.release()
            except (redis.RedisError, OSError):
                pass
