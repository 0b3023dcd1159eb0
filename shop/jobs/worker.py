"""``flask shop worker`` and ``flask shop scheduler``: a Celery worker, and the schedule beside it."""
import logging
import threading

import redis
from flask import Flask

from .celery_app import celery_for
from .scheduler import Scheduler

logger = logging.getLogger("shop.jobs")


def scheduler_for(app: Flask) -> Scheduler:
    """Return a scheduler that publishes through the app's broker and locks in its Redis."""
    celery = celery_for(app)
    client = redis.Redis.from_url(app.config["BROKER_URL"], socket_timeout=5, socket_connect_timeout=5)
    return Scheduler(client, lambda job: celery.send_task(f"shop.{job}"))


def run_scheduler(app: Flask) -> None:
    """Run the schedule in this thread until interrupted."""
    scheduler = scheduler_for(app)
    try:
        scheduler.run_forever()
    except KeyboardInterrupt:
        pass


def run_worker(app: Flask, *, concurrency: int, hostname: str | None, with_schedule: bool) -> None:
    """Run a Celery worker (threads, so the app's database pool is never shared across a fork)."""
    stop = threading.Event()
    if with_schedule:
        scheduler = scheduler_for(app)
        threading.Thread(target=scheduler.run_forever, args=(stop.is_set,), name="scheduler", daemon=True).start()
    argv = ["worker", "--pool", "threads", "--concurrency", str(concurrency), "--loglevel", "INFO",
            "--queues", app.config["JOBS_QUEUE"], "--without-gossip", "--without-mingle"]
    if hostname:
        argv += ["--hostname", hostname]
    try:
        celery_for(app).worker_main(argv)
    finally:
        stop.set()
