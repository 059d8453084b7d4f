"""Queueing e-mail in the recipient's language and delivering the outbox with
retries."""

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import select

from collab.core.db import utcnow
from collab.extensions import db
from collab.notifications import mailer
from collab.notifications.models import OutboxEmail

LEASE = timedelta(minutes=10)


def queue_email(
    to_addr: str,
    template: str,
    locale: str | None,
    attachments: list[dict] | None = None,
    **context,
) -> OutboxEmail:
    """Render ``templates/email/<template>.{txt,html}`` in ``locale`` and queue it.

    The first line of the text template is the subject.
    """
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    subject, _, body = text.partition("\n")
    email = OutboxEmail(
        to_addr=to_addr,
        subject=subject.strip(),
        body_text=body.lstrip("\n"),
        body_html=html,
        attachments=attachments or [],
    )
    db.session.add(email)
    if has_request_context():
        g.outbox_dirty = True
    return email


def deliver_pending(limit: int = 50) -> tuple[int, int]:
    """Send what is due; returns (sent, failed attempts). Commits as it goes."""
    config = current_app.config
    now = utcnow()
    query = (
        select(OutboxEmail)
        .where(OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    batch = db.session.scalars(query).all()
    # Lease the batch so another worker leaves it alone while we talk to SMTP.
    for email in batch:
        email.next_attempt_at = now + LEASE
    db.session.commit()

    sent = failed = 0
    for email in batch:
        try:
            mailer.send(_build(email, config["MAIL_FROM"]), config["SMTP_URL"])
        except (OSError, ValueError) as exc:  # smtplib errors are OSErrors
            email.attempts += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= config["MAIL_MAX_ATTEMPTS"]:
                email.status = "failed"
            email.next_attempt_at = utcnow() + timedelta(
                minutes=2 ** min(email.attempts, 10)
            )
            failed += 1
        else:
            email.status = "sent"
            email.sent_at = utcnow()
            email.attempts += 1
            sent += 1
        db.session.commit()
    return sent, failed


def retry_failed() -> int:
    emails = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.status == "failed")
    ).all()
    for email in emails:
        email.status = "pending"
        email.attempts = 0
        email.next_attempt_at = utcnow()
    return len(emails)


def _build(email: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_addr
    message["Subject"] = email.subject
    headers = dict(email.headers or {})
    message["Message-ID"] = headers.pop("Message-ID", None) or make_msgid(
        domain=sender.rpartition("@")[2].strip("> ") or None
    )
    for name, value in headers.items():
        message[name] = value
    message.set_content(email.body_text)
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    for attachment in email.attachments or []:
        maintype, _, subtype = attachment["content_type"].partition("/")
        message.add_attachment(
            attachment["text"].encode(),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
        )
    return message


def init_app(app) -> None:
    """With MAIL_DELIVERY=inline, send what a request queued once its response is
    out."""

    @app.after_request
    def _deliver_after_response(response):
        if g.get("outbox_dirty") and app.config["MAIL_DELIVERY"] == "inline":

            def deliver():
                with app.app_context():
                    deliver_pending()

            response.call_on_close(deliver)
        return response
