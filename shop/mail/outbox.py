"""Queue e-mail inside the caller's transaction; send it, with retries, after the commit.

A message is only a row until `send_outbox` delivers it, so a mail server that is down
loses nothing and a rolled-back order sends nothing.
"""
import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..inputs import one_line
from ..models import OutboxMessage
from .compose import render_email

logger = logging.getLogger("shop.mail")
MAX_ATTEMPTS = 8


def queue_email(recipient: str, template: str, *, locale: str, dedupe_key: str | None = None,
                attachments: list[dict] | None = None, **context) -> OutboxMessage | None:
    """Queue the e-mail ``template`` for ``recipient``; with ``dedupe_key``, at most once ever.

    Only flushes. Returns None when a message with the same ``dedupe_key`` exists.
    """
    if dedupe_key and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    subject, text, html = render_email(template, locale, **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=text, body_html=html,
                            attachments=attachments or [], dedupe_key=dedupe_key)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None  # a concurrent sender queued the same once-only message first
    return message


def _build(message: OutboxMessage, sender: str) -> EmailMessage:
    """Return the message as e-mail; header values are put on one line, whatever was stored."""
    email = EmailMessage()
    email["From"] = one_line(sender)
    email["To"] = one_line(message.recipient)
    email["Subject"] = one_line(message.subject)
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
        if config["MAIL_PORT"] != 25:
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


def send_outbox(now: datetime, transport: Callable[[EmailMessage], None] | None = None,
                limit: int = 200) -> tuple[int, int]:
    """Send due messages; a failure is retried later with growing pauses. Return (sent, failed)."""
    transport = transport or default_transport()
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    due = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now,
               OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    sent = failed = 0
    for message in due:
        message.attempts += 1
        try:
            transport(_build(message, sender))
        except Exception as error:  # any transport failure is retried, never lost
            failed += 1
            message.last_error = f"{type(error).__name__}: {error}"[:500]
            message.next_attempt_at = now + timedelta(minutes=2 ** message.attempts)
            logger.warning("e-mail %s to be retried: %s", message.id, message.last_error)
        else:
            sent += 1
            message.sent_at = now
        db.session.commit()
    return sent, failed
