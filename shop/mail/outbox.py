"""Queue e-mail inside the caller's transaction; send it, with retries, after the commit.

A message is only a row until a sender delivers it, so a mail server that is down loses nothing and a
rolled-back order sends nothing. A sender first claims the message in its own short transaction (on
PostgreSQL skipping rows another sender holds), then sends, then records it sent: two senders never send
one message twice, and a sender killed mid-send leaves the message to be sent again once its claim runs out.
"""
import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..database import unit_of_work
from ..extensions import db
from ..inputs import one_line
from ..models import OutboxMessage
from ..pages.details import shop_details
from .compose import render_email

logger = logging.getLogger("shop.mail")
MAX_ATTEMPTS = 8
CLAIM = timedelta(minutes=5)  # longer than any send (MAIL_TIMEOUT); a dead sender's claim runs out after it


def queue_email(recipient: str, template: str, *, locale: str, dedupe_key: str | None = None,
                attachments: list[dict] | None = None, unsubscribe_url: str | None = None,
                **context) -> OutboxMessage | None:
    """Queue the e-mail ``template`` for ``recipient``; with ``dedupe_key``, at most once ever.

    ``unsubscribe_url`` marks a message that belongs to a list (reminders, back-in-stock, waiting lists): it
    is sent as ``List-Unsubscribe``. Only flushes. Returns None when a message with the same ``dedupe_key``
    exists.
    """
    if dedupe_key and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    subject, text, html = render_email(template, locale, **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=text, body_html=html,
                            attachments=attachments or [], dedupe_key=dedupe_key,
                            list_unsubscribe=unsubscribe_url)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None  # a concurrent sender queued the same once-only message first
    return message


def mail_domain(sender: str) -> str:
    """Return the shop's own domain for Message-IDs: SHOP_BASE_URL's host, else the sender's domain."""
    base = current_app.config.get("SHOP_BASE_URL") or ""
    host = urlsplit(base).hostname if base else None
    return host or _domain_of(sender)


def _domain_of(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


def _build(message: OutboxMessage, sender: str, *, reply_to: str | None = None,
           domain: str | None = None) -> EmailMessage:
    """Return the message as e-mail with the headers receivers expect; header values are put on one line,
    whatever was stored.

    The Message-ID is made from the row, so a message sent again after a lost answer keeps its identity and
    the receiver can drop the copy.
    """
    email = EmailMessage()
    email["From"] = one_line(sender)
    email["To"] = one_line(message.recipient)
    email["Subject"] = one_line(message.subject)
    created = message.created_at or utcnow()  # a row not yet stored (a preview) has no time of its own
    email["Date"] = format_datetime(created)
    email["Message-ID"] = f"<outbox.{message.id}.{int(created.timestamp())}@{one_line(domain or _domain_of(sender))}>"
    if reply_to:
        email["Reply-To"] = one_line(reply_to)
    if message.list_unsubscribe:
        email["List-Unsubscribe"] = f"<{one_line(message.list_unsubscribe)}>"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for item in message.attachments or []:
        maintype, subtype = item["content_type"].split("/", 1)
        email.add_attachment(item["content"].encode(), maintype=maintype, subtype=subtype,
                             filename=one_line(item["filename"]))
    return email


def smtp_transport(email: EmailMessage) -> None:
    """Send through the configured SMTP server with a bounded timeout."""
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_STARTTLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def console_transport(email: EmailMessage) -> None:
    """Print the e-mail, for development without a mail server."""
    body = email.get_body(("plain",))
    print(f"--- e-mail to {email['To']}: {email['Subject']}\n{body.get_content() if body else ''}\n---", flush=True)


def default_transport() -> Callable[[EmailMessage], None]:
    return smtp_transport if current_app.config["MAIL_SERVER"] else console_transport


def _claimable(now: datetime):
    return (OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))


def claim_due(now: datetime, limit: int = 200) -> list[int]:
    """Claim up to ``limit`` messages that are due and return their ids, in their own committed transaction.

    On PostgreSQL rows another sender is claiming are skipped (``FOR UPDATE SKIP LOCKED``); on SQLite the
    write transaction begun IMMEDIATE makes the select-and-claim atomic.
    """
    with unit_of_work():
        due = (select(OutboxMessage.id).where(OutboxMessage.next_attempt_at <= now, *_claimable(now))
               .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True))
        ids = list(db.session.scalars(due))
        if ids:
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                               .values(claimed_until=now + CLAIM, attempts=OutboxMessage.attempts + 1))
    return ids


def claim_one(message_id: int, now: datetime) -> bool:
    """Claim message ``message_id`` for sending now, due or not; False when it is sent or another sender has it."""
    with unit_of_work():
        claimed = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id, *_claimable(now))
            .values(claimed_until=now + CLAIM, attempts=OutboxMessage.attempts + 1))
    return claimed.rowcount == 1


def deliver(message_id: int, now: datetime, transport: Callable[[EmailMessage], None]) -> bool:
    """Send the claimed message ``message_id`` and record the outcome; a failure is retried later."""
    message = db.session.get(OutboxMessage, message_id)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    try:
        transport(_build(message, sender, reply_to=_reply_to(), domain=mail_domain(sender)))
    except Exception as error:  # any transport failure is retried, never lost
        with unit_of_work():
            message.last_error = f"{type(error).__name__}: {error}"[:500]
            message.next_attempt_at = now + timedelta(minutes=2 ** message.attempts)
            message.claimed_until = None
        logger.warning("e-mail %s to be retried: %s", message_id, message.last_error)
        return False
    with unit_of_work():
        message.sent_at = now
        message.claimed_until = None
    return True


def _reply_to() -> str:
    """Return where a buyer's reply goes: the contact e-mail staff entered, else MAIL_REPLY_TO, else the sender."""
    config = current_app.config
    return shop_details().email or config.get("MAIL_REPLY_TO") or config["MAIL_DEFAULT_SENDER"]


def send_message(message_id: int, now: datetime, transport: Callable[[EmailMessage], None] | None = None) -> bool:
    """Send message ``message_id`` now unless it is sent or another sender has it; True when this call sent it."""
    if not claim_one(message_id, now):
        return False
    return deliver(message_id, now, transport or default_transport())


def send_outbox(now: datetime, transport: Callable[[EmailMessage], None] | None = None,
                limit: int = 200) -> tuple[int, int]:
    """Send due messages nobody else is sending; a failure is retried later with growing pauses.

    Return (sent, failed). The periodic sweep: whatever a lost job or a dead sender left behind goes here.
    """
    transport = transport or default_transport()
    sent = failed = 0
    for message_id in claim_due(now, limit):
        if deliver(message_id, now, transport):
            sent += 1
        else:
            failed += 1
    return sent, failed
