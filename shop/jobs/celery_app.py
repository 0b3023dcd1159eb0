"""Celery for the shop, as in Flask's own Celery pattern: tasks run inside the app's context.

Each job in ``work.JOBS`` is a task named ``shop.<job>``. Tasks are acknowledged after they ran, so a worker
killed mid-task leaves its message to another; the outbox claim makes a second run of "send message N" send
nothing twice.
"""
from celery import Celery, Task
from flask import Flask

from ..extensions import db
from .work import JOBS

_KEY = "celery"


def celery_for(app: Flask) -> Celery:
    """Return the app's Celery, made on first use from ``BROKER_URL``."""
    celery = app.extensions.get(_KEY)
    if celery is None:
        celery = app.extensions[_KEY] = _make(app)
    return celery


def _make(app: Flask) -> Celery:
    class AppTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    db.session.remove()

    celery = Celery(app.import_name, task_cls=AppTask)
    celery.conf.update(
        broker_url=app.config["BROKER_URL"], task_ignore_result=True, task_acks_late=True,
        task_reject_on_worker_lost=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 600}, task_default_queue=app.config["JOBS_QUEUE"],
        broker_connection_timeout=3, task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2},
    )
    for name, job in JOBS.items():
        celery.task(name=f"shop.{name}")(job)
    return celery
