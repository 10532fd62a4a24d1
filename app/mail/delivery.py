"""Deliver the outbox: claim due messages, send each through SMTP (or write .eml files), record the outcome.

Several workers may run at once: the claim takes rows with FOR UPDATE SKIP LOCKED on PostgreSQL
(BEGIN IMMEDIATE serialises it on SQLite) and marks them `sending` with a `claimed_until`, so a crashed
worker's messages are taken over once its claim expires. Temporary failures (4xx, refused connection,
timeout) are retried with growing delays; permanent ones (5xx) are marked failed with the server's answer.
"""

from __future__ import annotations

import contextlib
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message
from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import OutboxMessage, OutboxStatus, Registration, utcnow

#: Seconds to wait before the 1st, 2nd, ... retry; the last value repeats.
RETRY_DELAYS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600)


@dataclass
class DeliveryReport:
    """What one pass delivered: message ids per outcome."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.retrying) + len(self.failed)

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed

    def __str__(self) -> str:
        return f"{len(self.sent)} sent, {len(self.retrying)} to retry, {len(self.failed)} failed"


class TemporaryFailure(Exception):
    """The server or the network said: try again later."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx) or the message cannot be sent as it is."""


def retry_delay(attempts: int) -> timedelta:
    """The wait after the given number of failed attempts: growing, then capped."""
    index = min(max(attempts, 1), len(RETRY_DELAYS)) - 1
    return timedelta(seconds=RETRY_DELAYS[index])


def deliver_due(*, now: datetime | None = None, limit: int = 50) -> DeliveryReport:
    """Claim up to `limit` due messages and deliver them; safe to run in several workers at once."""
    now = now or utcnow()
    claimed = _claim_due(now=now, limit=limit)
    report = DeliveryReport()
    if not claimed:
        return report
    with _Transport(current_app.config) as transport:
        for message_id in claimed:
            message = db.session.get(OutboxMessage, message_id)
            if _is_stale_reminder(message):
                message.status = OutboxStatus.CANCELLED
                message.claimed_until = None
                db.session.commit()
                continue
            try:
                transport.send(build_mime(message))
            except TemporaryFailure as error:
                _record_retry(message, str(error), now=now)
                report.retrying.append(message_id)
            except PermanentFailure as error:
                _record_failure(message, str(error), now=now)
                report.failed.append(message_id)
            else:
                _record_sent(message, now=now)
                report.sent.append(message_id)
            db.session.commit()
    return report


def deliver_all_due(*, now: datetime | None = None, batch: int = 50) -> DeliveryReport:
    """Deliver until nothing due is left (each message is tried at most once per call)."""
    now = now or utcnow()
    total = DeliveryReport()
    while True:
        report = deliver_due(now=now, limit=batch)
        total.add(report)
        if report.handled < batch:
            return total


def work(
    *,
    interval: float = 5.0,
    should_stop: Callable[[], bool] = lambda: False,
    on_report: Callable[[DeliveryReport], None] = lambda report: None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Deliver what is due, wait `interval` seconds, again, until `should_stop()`."""
    while not should_stop():
        report = deliver_all_due()
        if report.handled:
            on_report(report)
        db.session.remove()
        if should_stop():
            return
        sleep(interval)


def _is_stale_reminder(message: OutboxMessage) -> bool:
    """Reminders go only to attendees still confirmed for a session still on, whatever path changed that."""
    if not message.kind.startswith("reminder") or message.registration_id is None:
        return False
    registration = db.session.get(Registration, message.registration_id)
    return registration is None or not registration.is_confirmed or registration.session.is_cancelled


def _claim_due(*, now: datetime, limit: int) -> list[int]:
    claim_seconds = current_app.config.get("OUTBOX_CLAIM_SECONDS", 300)
    due = or_(
        OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.RETRYING]),
        # A worker that died while sending: its claim has expired.
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(due, OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for message in rows:
        message.status = OutboxStatus.SENDING
        message.claimed_until = now + timedelta(seconds=claim_seconds)
        message.attempts += 1
    ids = [message.id for message in rows]
    db.session.commit()
    return ids


def _record_sent(message: OutboxMessage, *, now: datetime) -> None:
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.claimed_until = None
    message.last_error = ""


def _record_retry(message: OutboxMessage, error: str, *, now: datetime) -> None:
    if message.attempts >= current_app.config.get("OUTBOX_MAX_ATTEMPTS", 12):
        _record_failure(message, f"gave up after {message.attempts} attempts: {error}", now=now)
        return
    message.status = OutboxStatus.RETRYING
    message.not_before = now + retry_delay(message.attempts)
    message.claimed_until = None
    message.last_error = error[:2000]


def _record_failure(message: OutboxMessage, error: str, *, now: datetime) -> None:
    message.status = OutboxStatus.FAILED
    message.claimed_until = None
    message.last_error = error[:2000]


def _header_safe(text: str) -> str:
    """No control characters (CR/LF above all) in anything that reaches a header."""
    return " ".join("".join(ch if ch >= " " and ch != "\x7f" else " " for ch in text).split())


def build_mime(message: OutboxMessage) -> Message:
    """The Flask-Mail message as DESIGN.md lays it out.

    multipart/mixed > multipart/alternative (text/plain, text/html, text/calendar; method=...)
    plus an invite.ics attachment when the message carries an invite.
    """
    config = current_app.config
    to_name = _header_safe(message.to_name)
    recipient = (to_name, message.to_address) if to_name else message.to_address
    # The order matters to mail clients: plain, then HTML, then the calendar part.
    alts: dict[str, str] = {"html": message.body_html} if message.body_html else {}
    if message.ics:
        alts[f"calendar; method={message.ics_method or 'REQUEST'}"] = message.ics
    mime = Message(
        subject=_header_safe(message.subject),
        recipients=[recipient],
        body=message.body_text,
        sender=message.from_address or config["MAIL_DEFAULT_SENDER"],
    )
    mime.alts = alts
    # Stable per outbox row: a message sent twice after a crash is recognisably the same one.
    mime.msgId = f"<outbox-{message.id}-{message.created_at:%Y%m%d%H%M%S}@{config['ICAL_UID_DOMAIN']}>"
    if message.ics:
        mime.attach(
            "invite.ics",
            f"text/calendar; charset=utf-8; method={message.ics_method or 'REQUEST'}",
            message.ics.encode("utf-8"),
        )
    return mime


class _Transport:
    """SMTP through Flask-Mail with a socket timeout, or .eml files when no MAIL_SERVER is set.

    Settings are read from the app's config at each pass, so tests can point one app at their server.
    """

    def __init__(self, config):
        self.config = config
        self.connection: _SMTPConnection | None = None
        self.connect_error: str | None = None

    def __enter__(self) -> _Transport:
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is not None and self.connection.host is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.host.quit()

    def send(self, mime: Message) -> None:
        if mime.has_bad_headers():
            raise PermanentFailure("the message has a line break in a header")
        if not self.config.get("MAIL_SERVER"):
            self._write_file(mime)
            return
        if self.config.get("MAIL_SUPPRESS_SEND"):
            return
        if self.connect_error is not None:
            # The server could not be reached for this pass: do not wait a timeout per message.
            raise TemporaryFailure(self.connect_error)
        try:
            if self.connection is None:
                self.connection = _SMTPConnection(self.config)
            self.connection.send(mime)
        except smtplib.SMTPRecipientsRefused as error:
            code, answer = next(iter(error.recipients.values()))
            self._raise_for(code, answer)
        except smtplib.SMTPResponseException as error:
            self._raise_for(error.smtp_code, error.smtp_error)
        except BadHeaderError as error:
            raise PermanentFailure("the message has a line break in a header") from error
        except (smtplib.SMTPException, OSError) as error:  # refused, timeout, disconnected
            self.connection = None
            self.connect_error = f"{type(error).__name__}: {error}"
            raise TemporaryFailure(self.connect_error) from error

    @staticmethod
    def _raise_for(code: int, answer: bytes | str) -> None:
        text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
        reply = f"{code} {text}"
        if 400 <= code < 500:
            raise TemporaryFailure(reply)
        raise PermanentFailure(reply)

    def _write_file(self, mime: Message) -> None:
        directory = Path(self.config["MAIL_FILE_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        name = mime.msgId.strip("<>").split("@")[0]
        (directory / f"{name}.eml").write_bytes(mime.as_bytes())


class _SMTPConnection(Connection):
    """Flask-Mail's connection, opened from the current config and with a socket timeout (it has none)."""

    def __init__(self, config):
        super().__init__(current_app.extensions["mail"])
        self.config = config
        self.host = self.configure_host()

    def configure_host(self) -> smtplib.SMTP:
        config = self.config
        timeout = config.get("MAIL_TIMEOUT_SECONDS", 20)
        server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        if config.get("MAIL_USE_SSL"):
            host: smtplib.SMTP = smtplib.SMTP_SSL(server, port, timeout=timeout)
        else:
            host = smtplib.SMTP(server, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            host.starttls()
        if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return host
