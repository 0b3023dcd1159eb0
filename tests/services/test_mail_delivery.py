"""E-mail that receivers accept, sent exactly once however many senders run, and again after a sender dies."""
import email
import email.policy
import threading
from datetime import timedelta

from sqlalchemy import func, select

from shop.clock import utcnow
from shop.courses.services import send_reminders
from shop.extensions import db
from shop.mail.outbox import CLAIM, claim_due, queue_email, send_message, send_outbox
from shop.models import OutboxMessage
from tests.factories import make_cohort, make_product, make_user, wait_in_line
from tests.races import run_at_once
from tests.views.helpers import add, pay_dummy

REQUIRED = ("From", "To", "Subject", "Date", "Message-ID", "Reply-To")


def _strictly_parsed(sent) -> list[email.message.EmailMessage]:
    """Return each sent message as a receiver would read it, parsed from its bytes with the strict policy."""
    return [email.message_from_bytes(message.as_bytes(policy=email.policy.SMTP), policy=email.policy.strict)
            for message in sent]


def _queue_every_kind(client, now):
    """Make the shop queue its everyday messages: a kit and a seat bought and paid, a reset, a waiting list."""
    add(client, make_product())
    add(client, cohort=make_cohort(starts_at=utcnow() + timedelta(hours=20)))
    assert pay_dummy(client).status_code == 303
    client.post("/account/reset", data={"email": make_user().email})
    full = make_cohort(capacity=0)
    wait_in_line(full.id, "waiting@example.kz", now=now)
    send_reminders(now=utcnow())


def test_every_message_the_shop_sends_parses_strictly_with_the_headers_receivers_score_on(app, client, now):
    _queue_every_kind(client, now)
    sent = []
    send_outbox(utcnow() + timedelta(seconds=1), transport=sent.append)
    kinds = {key.split(":")[0] for key in db.session.scalars(select(OutboxMessage.dedupe_key)) if key}
    assert {"order-confirmation", "cohort-reminder"} <= kinds, kinds
    assert len(sent) >= 5
    ids = set()
    for message in _strictly_parsed(sent):
        assert all(message[name] for name in REQUIRED), [name for name in REQUIRED if not message[name]]
        assert message["Message-ID"].endswith("@cityfarm.kz>") or message["Message-ID"].endswith(".test>")
        ids.add(message["Message-ID"])
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    assert len(ids) == len(sent)  # every message its own identity


def test_waiting_list_messages_carry_the_link_that_leaves_the_list(app, now):
    cohort = make_cohort(capacity=0)
    wait_in_line(cohort.id, "waiting@example.kz", now=now)
    sent = []
    send_outbox(utcnow() + timedelta(seconds=1), transport=sent.append)
    (message,) = _strictly_parsed(sent)
    assert "/courses/waitlist/leave/" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe"].strip().startswith(("<https://", "<http://"))


def test_an_order_confirmation_offers_no_list_to_leave(app, client):
    add(client, make_product())
    assert pay_dummy(client).status_code == 303
    sent = []
    send_outbox(utcnow() + timedelta(seconds=1), transport=sent.append)
    assert sent and all(message["List-Unsubscribe"] is None for message in _strictly_parsed(sent))


def test_a_message_sent_again_after_a_lost_answer_keeps_its_message_id(app):
    queue_email("buyer@example.kz", "password_reset", locale="ru", user=make_user(), link="https://shop.test/x")
    db.session.commit()
    message_id = db.session.scalar(select(OutboxMessage.id))
    first, second = [], []

    def lost(sent_email):
        first.append(sent_email)
        raise TimeoutError("no answer from the mail server")

    assert send_outbox(utcnow(), transport=lost) == (0, 1)
    message = db.session.get(OutboxMessage, message_id)
    assert send_outbox(message.next_attempt_at, transport=second.append) == (1, 0)
    assert first[0]["Message-ID"] == second[0]["Message-ID"]


def _queue(count: int) -> None:
    user = make_user()
    for number in range(count):
        queue_email(f"buyer{number}@example.kz", "password_reset", locale="ru", user=user, link="https://shop.test/x")
    db.session.commit()


def test_two_senders_at_once_send_each_message_exactly_once(app):
    _queue(30)
    sent, lock = [], threading.Lock()

    def transport(message):
        with lock:
            sent.append(message["To"])

    results = run_at_once(app, lambda _index: send_outbox(utcnow(), transport=transport), 2)
    assert sum(result[0] for result in results) == 30
    assert sorted(sent) == sorted(f"buyer{number}@example.kz" for number in range(30))
    assert db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) == 0


def test_a_job_and_the_sweep_racing_for_one_message_send_it_once(app):
    _queue(1)
    message_id = db.session.scalar(select(OutboxMessage.id))
    sent, lock = [], threading.Lock()

    def transport(message):
        with lock:
            sent.append(message["To"])

    def race(index):
        return send_message(message_id, utcnow(), transport) if index % 2 else send_outbox(utcnow(), transport)

    run_at_once(app, race, 4)
    assert sent == ["buyer0@example.kz"]


def test_a_message_whose_sender_died_mid_send_is_sent_once_its_claim_runs_out(app):
    _queue(1)
    now = utcnow()
    assert len(claim_due(now)) == 1  # a sender took it, then was killed before it recorded anything
    sent = []
    assert send_outbox(now + timedelta(seconds=30), transport=sent.append) == (0, 0)  # still claimed
    assert send_outbox(now + CLAIM + timedelta(seconds=1), transport=sent.append) == (1, 0)
    assert len(sent) == 1
    assert send_outbox(now + 2 * CLAIM, transport=sent.append) == (0, 0)  # sent once, never again


def test_replies_go_to_the_contact_address_staff_entered(app):
    from shop.models.content import SHOP_DETAILS_ID, ShopDetails
    from shop.seed_pages import SHOP_DETAILS

    db.session.add(ShopDetails(id=SHOP_DETAILS_ID, updated_at=utcnow(), **SHOP_DETAILS))
    _queue(1)
    sent = []
    send_outbox(utcnow(), transport=sent.append)
    assert sent[0]["Reply-To"] == "hello@cityfarm.kz"
