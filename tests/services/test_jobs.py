"""Jobs: each e-mail starts right after its commit (in the web process, or on a Celery worker through Redis),
nothing starts for a rolled-back transaction, the schedule runs once however many schedulers start, and the
nightly check tells staff when something is broken."""
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db
from shop.jobs import scheduler as scheduling
from shop.jobs.dispatch import wait_for_jobs
from shop.jobs.work import check_integrity_and_tell_staff
from shop.mail import outbox
from shop.mail.outbox import queue_email
from shop.models import OutboxMessage, Product
from tests.conftest import TEST_ENV, running
from tests.factories import make_product, make_user
from tests.views.helpers import add, pay_dummy

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL): the broker tests need one")
    return client


@pytest.fixture
def jobs_app(app_factory, request):
    with running(app_factory(JOBS_AFTER_COMMIT=True), request) as app:
        yield app


@pytest.fixture
def mailbox(monkeypatch):
    sent = []
    monkeypatch.setattr(outbox, "default_transport", lambda: sent.append)
    return sent


def test_an_order_confirmation_is_sent_right_after_the_payment_commits(jobs_app, mailbox):
    client = jobs_app.test_client()
    add(client, make_product())
    assert pay_dummy(client).status_code == 303
    wait_for_jobs(jobs_app)
    assert any(message["To"] == "buyer@example.kz" for message in mailbox)
    db.session.rollback()  # a fresh snapshot: the job committed on its own connection
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))) is None


def test_a_rolled_back_transaction_sends_nothing(jobs_app, mailbox):
    queue_email("buyer@example.kz", "password_reset", locale="ru", user=make_user(), link="https://shop.test/x")
    db.session.rollback()
    wait_for_jobs(jobs_app)
    assert mailbox == [] and db.session.scalar(select(OutboxMessage.id)) is None


def test_without_jobs_after_commit_mail_waits_for_the_sweep(app, mailbox):
    queue_email("buyer@example.kz", "password_reset", locale="ru", user=make_user(), link="https://shop.test/x")
    db.session.commit()
    assert mailbox == []
    assert outbox.send_outbox(utcnow()) == (1, 0) and len(mailbox) == 1


@pytest.mark.breaks_integrity
def test_the_nightly_check_emails_staff_once_a_day_when_something_is_broken(app):
    product = make_product(stock=5)
    db.session.execute(Product.__table__.update().where(Product.id == product.id).values(on_hand=7))
    db.session.commit()
    assert check_integrity_and_tell_staff()
    assert check_integrity_and_tell_staff()
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "staff@cityfarm.kz")).all()
    assert len(messages) == 1 and str(product.id) in messages[0].body_text or product.slug in messages[0].body_text


def test_a_consistent_shop_emails_nobody(app):
    make_product()
    assert check_integrity_and_tell_staff() == []
    assert db.session.scalar(select(OutboxMessage.id)) is None


class _Clock:
    def __init__(self):
        self.published = []

    def publish(self, job):
        self.published.append(job)


def test_of_two_schedulers_started_at_once_only_one_publishes_and_each_slot_once(app):
    client = _redis()
    client.delete(scheduling.LOCK_KEY, *client.keys("shop:scheduler:ran:*"))
    first, second = _Clock(), _Clock()
    one = scheduling.Scheduler(client, first.publish)
    two = scheduling.Scheduler(client, second.publish)
    moment = datetime(2026, 12, 1, 22, 17, 30, tzinfo=UTC)  # 03:17 in Almaty: the nightly check is due
    for offset in range(3):
        one.tick(moment + timedelta(seconds=offset))
        two.tick(moment + timedelta(seconds=offset))
    assert sorted(first.published) == ["check-integrity", "release-expired", "send-outbox", "send-reminders"]
    assert second.published == []
    one.release()  # the holder stops; the other takes over at the next minute, not again for this one
    two.tick(moment + timedelta(seconds=5))
    assert second.published == []
    two.tick(moment + timedelta(seconds=60))
    assert sorted(second.published) == ["release-expired", "send-outbox"]
    two.release()


def test_the_nightly_check_is_not_run_at_noon_by_a_scheduler_started_then(app):
    noon = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 12:00 in Almaty
    assert next(e for e in scheduling.SCHEDULE if e.job == "check-integrity").slot(noon) is None


def test_a_celery_worker_on_redis_sends_the_mail_a_commit_asked_for(app_factory, database_url, request):
    _redis()
    queue = f"shop-test-{uuid.uuid4().hex[:8]}"
    settings = {"BROKER_URL": REDIS_URL, "JOBS_QUEUE": queue}
    env = {**os.environ, **TEST_ENV, **settings, "DATABASE_URL": database_url, "JOBS_AFTER_COMMIT": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "shop", "worker", "--no-schedule",
                               "--concurrency", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        with running(app_factory(env=settings, JOBS_AFTER_COMMIT=True), request) as app:
            queue_email("learner@example.kz", "password_reset", locale="ru", user=make_user(),
                        link="https://shop.test/x")
            db.session.commit()
            wait_for_jobs(app)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                db.session.rollback()  # a fresh snapshot: the job committed on its own connection
                if db.session.scalar(select(OutboxMessage.sent_at)) is not None:
                    break
                time.sleep(0.2)
            assert db.session.scalar(select(OutboxMessage.sent_at)) is not None, "the worker sent nothing in 30 s"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert output.count("--- e-mail to learner@example.kz") == 1, output[-2000:]
