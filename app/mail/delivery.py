"""Deliver the outbox: claim due messages, send each through SMTP (or write .eml files), record the outcome.

Several workers may run at once: the claim takes rows with FOR UPDATE SKIP LOCKED on PostgreSQL
(BEGIN IMMEDIATE serialises it on SQLite) and marks them `sending` with a `claimed_until`, so a crashed
worker's messages are taken over once its claim expires. Temporary failures (4xx, refused connection,
timeout) are retried with growing delays; permanent ones (5xx) are marked failed with the server's answer.

A batch costs a constant number of statements: one claim (UPDATE ... RETURNING), one query for its
reminders if it has any, one UPDATE per kind of outcome. A pass keeps one SMTP connection and composes
each batch's messages (app/mail/mime.py) before sending them.

A reminder is stored with no text (app/mail/messages.py): the batch reads its registration and session as
they are now, drops it with the reason if it no longer stands (registration or session cancelled, its time
passed), puts it back until its time if the session moved later, and otherwise writes it then (current title,
time, zone and join link, and a new manage link, which the registration takes once the reminder is recorded
sent). The text sent is kept with the row like any other message's, until retention.

A message's private links (app/mail/outbox.py) go only into the copy sent; the UPDATE that records it sent,
failed or cancelled also forgets them, so no usable link stays in the database after delivery. Each outcome
is logged (logger `app.outbox`): message id, kind, outcome, attempts and the error's class and SMTP code,
never an address, a subject or a body.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import NoReturn

from flask import current_app
from flask_mail import Connection
from sqlalchemy import Row, and_, or_, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.mail import messages as builders
from app.mail.mime import BadHeader, Composed, compose
from app.mail.outbox import links_of, with_links
from app.models import Event, EventSession, OutboxMessage, OutboxStatus, Registration, utcnow

#: Seconds to wait before the 1st, 2nd, ... retry; the last value repeats.
RETRY_DELAYS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600)
#: Outcomes are written at the end of a batch, and at once after a message that took this long to send:
#: a slow server makes the write cheap in comparison, and a crash then re-sends only the message in flight.
SLOW_SEND_SECONDS = 0.01

log = logging.getLogger("app.outbox")


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
    with _Transport(current_app.config) as transport:
        report, _, _ = _deliver_batch(transport, now=now, limit=limit)
    return report


def deliver_all_due(*, now: datetime | None = None, batch: int = 50, max_batch: int = 400) -> DeliveryReport:
    """Deliver until nothing due is left (each message is tried at most once per call), over one connection.

    Batches start at `batch` messages and double, up to `max_batch`, while the server answers fast: fewer
    statements per message. With a slow server they stay at `batch`, so that several workers share the queue.
    """
    now = now or utcnow()
    total = DeliveryReport()
    size = batch
    with _Transport(current_app.config) as transport:
        while True:
            report, claimed, slow = _deliver_batch(transport, now=now, limit=size, commit_full_batch=False)
            total.add(report)
            if claimed < size:
                return total
            size = batch if slow else min(size * 2, max_batch)


def work(
    *,
    interval: float = 5.0,
    should_stop: Callable[[], bool] = lambda: False,
    on_report: Callable[[DeliveryReport], None] = lambda report: None,
    sleep: Callable[[float], None] = time.sleep,
    housekeeping: Callable[[], None] | None = None,
    housekeeping_every: float = 3600.0,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Deliver what is due, wait `interval` seconds, again, until `should_stop()`.

    `housekeeping` (the privacy retention job, given by the command) runs before the first pass and then
    once every `housekeeping_every` seconds, between passes: a pass itself never waits for it."""
    last_housekeeping: float | None = None
    while not should_stop():
        if housekeeping is not None and (
            last_housekeeping is None or clock() - last_housekeeping >= housekeeping_every
        ):
            last_housekeeping = clock()
            housekeeping()
            db.session.remove()
        report = deliver_all_due()
        if report.handled:
            on_report(report)
        db.session.remove()
        if should_stop():
            return
        sleep(interval)


#: What a batch reads of each claimed row (`attempts` counts the attempt being made).
_CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.kind,
    OutboxMessage.to_address,
    OutboxMessage.to_name,
    OutboxMessage.from_address,
    OutboxMessage.subject,
    OutboxMessage.body_text,
    OutboxMessage.body_html,
    OutboxMessage.ics,
    OutboxMessage.ics_method,
    OutboxMessage.private_links,
    OutboxMessage.attempts,
    OutboxMessage.not_before,
    OutboxMessage.created_at,
    OutboxMessage.registration_id,
    # Who the message is from and where replies go: the event's name and contact, read as it is at sending
    # (scalar subqueries in the same claim statement: no query more per batch).
    select(Event.title).where(Event.id == OutboxMessage.event_id).scalar_subquery().label("event_title"),
    select(Event.contact_name).where(Event.id == OutboxMessage.event_id).scalar_subquery().label("contact_name"),
    select(Event.contact_email).where(Event.id == OutboxMessage.event_id).scalar_subquery().label("contact_email"),
)


def _deliver_batch(
    transport: _Transport, *, now: datetime, limit: int, commit_full_batch: bool = True
) -> tuple[DeliveryReport, int, bool]:
    """One batch: claim (one statement, COMMIT), send each, record the outcomes.

    Returns the report, how many messages were claimed, and whether sending took SLOW_SEND_SECONDS a message
    on average (a slow server).

    Outcomes are written together, one UPDATE per kind of outcome and one COMMIT, at the end of the batch
    and right after any message that took SLOW_SEND_SECONDS or more. A worker killed mid-batch leaves its
    rows `sending` until the claim expires; the worker that takes them over sends again what went out
    since the last write: at most the batch when the server is fast, the message in flight when it is slow.
    """
    rows = _claim_due(now=now, limit=limit)
    report = DeliveryReport()
    sending = 0.0
    if not rows:
        return report, 0, False
    reminders = _reminders(rows, now=now)
    outcomes = _Outcomes(now=now)
    # Composed in one go before the first send (a tight loop, cheaper than between SMTP exchanges), for what
    # the server takes (8BITMIME, SMTPUTF8).
    messages = _compose_batch(rows, reminders, features=transport.features())
    try:
        for row, (name, message) in zip(rows, messages, strict=True):
            reminder = reminders.get(row.id)
            if reminder is not None and reminder.dropped is not None:
                outcomes.dropped.append(_dropped_values(row, reminder.dropped))
                _log(row, "cancelled", reason=reminder.dropped)
                continue
            if reminder is not None and reminder.later is not None:
                outcomes.later.append(_later_values(row, reminder.later))
                _log(row, "later")
                continue
            written = reminder.written(row.id) if reminder is not None else {}
            started = time.monotonic()
            try:
                if isinstance(message, PermanentFailure):
                    raise message
                transport.send(message, name=name)
            except TemporaryFailure as error:
                values = _retry_values(row, str(error), now=now) | written
                outcomes.failures.append(values)
                retrying = values["status"] == OutboxStatus.RETRYING
                (report.retrying if retrying else report.failed).append(row.id)
                _log(row, "retry" if retrying else "failed", error)
            except PermanentFailure as error:
                outcomes.failures.append(_failure_values(row, str(error)) | written)
                report.failed.append(row.id)
                _log(row, "failed", error)
            else:
                if written:
                    outcomes.sent_written.append(written)
                    outcomes.manage_tokens.extend(reminder.new_manage_token(row.registration_id))
                else:
                    outcomes.sent.append(row.id)
                report.sent.append(row.id)
                _log(row, "sent")
            took = time.monotonic() - started
            sending += took
            if took >= SLOW_SEND_SECONDS:
                outcomes.record()
    except BaseException:
        # Something unexpected stopped the batch: what went out is still recorded as sent.
        outcomes.record()
        raise
    # A full batch left uncommitted is committed with the claim that follows (in deliver_all_due).
    outcomes.record(commit=commit_full_batch or len(rows) < limit)
    return report, len(rows), sending >= SLOW_SEND_SECONDS * len(rows)


_SMTP_CODE = re.compile(r"(?:gave up after \d+ attempts: )?([245]\d\d) ")


def _log(row: Row, outcome: str, error: Exception | None = None, *, reason: str = "") -> None:
    """One line per outcome, with nothing personal in it: the error's class and SMTP code, never its text
    (a server's answer may quote the address); why a reminder was dropped, as a key of messages.DROPPED."""
    if error is None:
        line = "outbox message=%d kind=%s outcome=%s attempts=%d" + (" reason=%s" if reason else "")
        log.info(line, row.id, row.kind, outcome, row.attempts, *((reason,) if reason else ()))
        return
    cause = error.__cause__ or error.__context__ or error
    code = _SMTP_CODE.match(str(error))
    log.info(
        "outbox message=%d kind=%s outcome=%s attempts=%d error=%s code=%s",
        row.id,
        row.kind,
        outcome,
        row.attempts,
        type(cause).__name__,
        code[1] if code else "-",
    )


def _claim_due(*, now: datetime, limit: int) -> list[Row]:
    claim_seconds = current_app.config.get("OUTBOX_CLAIM_SECONDS", 300)
    due = or_(
        OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.RETRYING]),
        # A worker that died while sending: its claim has expired.
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now),
    )
    claimable = (
        select(OutboxMessage.id)
        .where(due, OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # One statement: lock what no other worker holds, mark it ours, return what sending needs.
    rows = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(claimable))
        .values(
            status=OutboxStatus.SENDING,
            claimed_until=now + timedelta(seconds=claim_seconds),
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(*_CLAIMED_COLUMNS)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(rows, key=lambda row: (row.not_before, row.id))


@dataclass
class _Reminder:
    """What becomes of a claimed reminder in this batch: written now, dropped (why), or due later (when)."""

    text: builders.ReminderText | None = None
    dropped: str | None = None
    later: datetime | None = None

    def written(self, message_id: int) -> dict:
        """The text it went out with, for the row (the worker wrote it; nothing was stored before)."""
        if self.text is None:
            return {}
        text = self.text
        return {
            "id": message_id,
            "to_name": text.to_name,
            "subject": text.subject,
            "body_text": text.body_text,
            "body_html": text.body_html,
        }

    def new_manage_token(self, registration_id: int) -> list[dict]:
        """The registration's new manage token (its hash), taken once the reminder carrying it is sent."""
        if self.text is None or self.text.manage_token_hash is None:
            return []
        return [{"id": registration_id, "manage_token_hash": self.text.manage_token_hash}]


def _reminders(rows: list[Row], *, now: datetime) -> dict[int, _Reminder]:
    """The batch's reminders, decided from their registrations and sessions as they are now.

    One query for the whole batch (none without reminders). A reminder still standing is written here; one
    whose registration or session is over, or whose moment passed, is dropped with the reason; one that the
    session's move made early (a row claimed while the move committed) goes back until its new time.
    """
    kinds = builders.REMINDERS
    wanted = {row.registration_id for row in rows if row.kind in kinds and row.registration_id is not None}
    if not any(row.kind in kinds for row in rows):
        return {}
    registrations = {}
    if wanted:
        registrations = {
            registration.id: registration
            for registration in db.session.scalars(
                select(Registration)
                .where(Registration.id.in_(wanted))
                .options(joinedload(Registration.session).joinedload(EventSession.event))
            )
        }
    decided = {}
    for row in rows:
        if row.kind not in kinds:
            continue
        registration = registrations.get(row.registration_id)
        reason = builders.reminder_obsolete(registration, row.kind, now=now)
        if reason is not None:
            decided[row.id] = _Reminder(dropped=reason)
            continue
        due = builders.reminder_times(registration.session)[row.kind]
        if due > now:
            decided[row.id] = _Reminder(later=due)
        else:
            decided[row.id] = _Reminder(text=builders.compose_reminder(registration, row.kind))
    return decided


def _dropped_values(row: Row, reason: str) -> dict:
    return {
        "id": row.id,
        "status": OutboxStatus.CANCELLED,
        "claimed_until": None,
        "private_links": None,
        "last_error": builders.DROPPED[reason],
    }


def _later_values(row: Row, due: datetime) -> dict:
    # Not an attempt: the claim's count is given back.
    return {
        "id": row.id,
        "status": OutboxStatus.QUEUED,
        "not_before": due,
        "claimed_until": None,
        "attempts": row.attempts - 1,
    }


def _retry_values(row: Row, error: str, *, now: datetime) -> dict:
    if row.attempts >= current_app.config.get("OUTBOX_MAX_ATTEMPTS", 12):
        return _failure_values(row, f"gave up after {row.attempts} attempts: {error}")
    return {
        "id": row.id,
        "status": OutboxStatus.RETRYING,
        "not_before": now + retry_delay(row.attempts),
        "claimed_until": None,
        "last_error": error[:2000],
        # Kept for the next attempt.
        "private_links": row.private_links,
    }


def _failure_values(row: Row, error: str) -> dict:
    return {
        "id": row.id,
        "status": OutboxStatus.FAILED,
        "not_before": row.not_before,
        "claimed_until": None,
        "last_error": error[:2000],
        # Never sent: its links are forgotten too ("Send again" issues new ones).
        "private_links": None,
    }


class _Outcomes:
    """Outcomes not written yet. Writing one forgets the message's private links, except for a retry."""

    def __init__(self, *, now: datetime):
        self.now = now
        self.sent: list[int] = []
        #: Reminders sent, with the text the worker wrote for them.
        self.sent_written: list[dict] = []
        #: The registrations whose sent reminders carried a new manage link: their token's new hash.
        self.manage_tokens: list[dict] = []
        self.dropped: list[dict] = []
        self.later: list[dict] = []
        self.failures: list[dict] = []

    def record(self, *, commit: bool = True) -> None:
        """One UPDATE per kind of outcome (none for a kind without rows), then one COMMIT unless told not to."""
        unclaimed = update(OutboxMessage).execution_options(synchronize_session=False)
        if self.sent:
            db.session.execute(
                unclaimed.where(OutboxMessage.id.in_(self.sent)).values(
                    status=OutboxStatus.SENT, sent_at=self.now, claimed_until=None, last_error="", private_links=None
                )
            )
        sent = {"status": OutboxStatus.SENT, "sent_at": self.now, "claimed_until": None, "last_error": ""}
        # Each row its own values: one executemany UPDATE by primary key per kind.
        for values in (
            [sent | {"private_links": None} | text for text in self.sent_written],
            self.dropped,
            self.later,
            self.failures,
        ):
            if values:
                db.session.execute(update(OutboxMessage), values)
        if self.manage_tokens:
            # The link went out: from now on it is the one that works (the earlier one stops).
            db.session.execute(update(Registration), self.manage_tokens)
        if commit and (self.sent or self.sent_written or self.dropped or self.later or self.failures):
            db.session.commit()
        self.sent, self.sent_written, self.dropped, self.later, self.failures = [], [], [], [], []
        self.manage_tokens = []


def _compose_batch(
    rows: list[Row], reminders: dict[int, _Reminder], *, features: Features
) -> list[tuple[str, Composed | PermanentFailure | None]]:
    """Each row's file name and message (or why it cannot be sent), None for a reminder not sent now."""
    date = formatdate(localtime=True)
    composed: list[tuple[str, Composed | PermanentFailure | None]] = []
    for row in rows:
        name = _file_name(row)
        reminder = reminders.get(row.id)
        try:
            if reminder is None:
                composed.append((name, compose_row(row, date=date, name=name, features=features)))
            elif reminder.text is None:
                composed.append((name, None))
            else:
                message = compose_row(row, date=date, name=name, text=reminder.text, features=features)
                composed.append((name, message))
        except PermanentFailure as error:
            composed.append((name, error))
    return composed


def _file_name(row: Row | OutboxMessage) -> str:
    """outbox-<id>-<created, UTC, to the second>: the .eml file's name and the Message-ID's left part."""
    created = row.created_at
    return (
        f"outbox-{row.id}-{created.year:04d}{created.month:02d}{created.day:02d}"
        f"{created.hour:02d}{created.minute:02d}{created.second:02d}"
    )


@dataclass(frozen=True)
class Features:
    """What the SMTP server said it takes in its EHLO answer (a file or no server takes anything)."""

    eight_bit: bool = True
    smtputf8: bool = True


def _sender(row: Row | OutboxMessage, config) -> tuple[tuple[str, str], tuple[str, str] | None]:
    """(From, Reply-To): the configured sender address under the event's name, replies to the event's contact.

    A message of no event (an organiser's password reset, a speaker's sign-in link) keeps the configured
    sender as it is and has no Reply-To.
    """
    configured_name, address = parseaddr(row.from_address or config["MAIL_DEFAULT_SENDER"])
    if isinstance(row, OutboxMessage):  # a stored message, not a claimed row (previews, the benchmark)
        event = db.session.get(Event, row.event_id) if row.event_id else None
        title, contact = (event.title, (event.contact_name, event.contact_email)) if event else ("", ("", ""))
    else:
        title, contact = row.event_title or "", (row.contact_name or "", row.contact_email or "")
    return (title or configured_name, address), contact if contact[1] else None


def compose_row(
    row: Row | OutboxMessage,
    *,
    date: str | None = None,
    name: str | None = None,
    text: builders.ReminderText | None = None,
    features: Features = Features(),
) -> Composed:
    """The outbox row's message in the layout app/mail/mime.py describes, ready for SMTP.

    The Message-ID is stable per outbox row: a message sent twice after a crash is recognisably the same one.
    The private links go into this copy only (the stored bodies hold their placeholders). A reminder's `text`
    is the one the worker wrote for it now (its row holds none).
    """
    config = current_app.config
    links = list(text.private_links) if text is not None else links_of(row)
    parts = text or row
    sender, reply_to = _sender(row, config)
    try:
        return compose(
            sender=sender,
            reply_to=reply_to,
            eight_bit=features.eight_bit,
            smtputf8=features.smtputf8,
            to_address=row.to_address,
            to_name=parts.to_name,
            subject=parts.subject,
            body_text=with_links(parts.body_text, links),
            body_html=with_links(parts.body_html, links),
            ics=row.ics,
            ics_method=row.ics_method,
            message_id=f"<{name or _file_name(row)}@{config['ICAL_UID_DOMAIN']}>",
            date=date or formatdate(localtime=True),
        )
    except BadHeader as error:
        raise PermanentFailure(str(error)) from error


class _Transport:
    """SMTP through Flask-Mail's connection with a socket timeout, or .eml files when no MAIL_SERVER is set.

    One connection serves a whole pass. Settings are read from the app's config at each pass, so tests
    can point one app at their server.
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

    def features(self) -> Features:
        """What the server offers (connecting now if need be); anything for files or suppressed sending.

        A server that cannot be reached gives the defaults: its messages are retried anyway (see `send`).
        """
        if not self.config.get("MAIL_SERVER") or self.config.get("MAIL_SUPPRESS_SEND"):
            return Features()
        try:
            host = self._host()
        except TemporaryFailure:
            return Features()
        return Features(eight_bit=host.has_extn("8bitmime"), smtputf8=host.has_extn("smtputf8"))

    def _host(self) -> smtplib.SMTP:
        if self.connect_error is not None:
            # The server could not be reached for this pass: do not wait a timeout per message.
            raise TemporaryFailure(self.connect_error)
        try:
            if self.connection is None:
                self.connection = _SMTPConnection(self.config)
            self.connection.host.ehlo_or_helo_if_needed()
        except (smtplib.SMTPException, OSError) as error:  # refused, timeout, disconnected
            self._lost(error)
        return self.connection.host

    def _lost(self, error: Exception) -> NoReturn:
        self.connection = None
        self.connect_error = f"{type(error).__name__}: {error}"
        raise TemporaryFailure(self.connect_error) from error

    def send(self, message: Composed, *, name: str) -> None:
        if not self.config.get("MAIL_SERVER"):
            self._write_file(message, name)
            return
        if self.config.get("MAIL_SUPPRESS_SEND"):
            return
        host = self._host()
        options = []
        if message.eight_bit and host.has_extn("8bitmime"):
            options.append("BODY=8BITMIME")  # RFC 6152: the body holds 8-bit text
        if message.smtputf8:
            if not host.has_extn("smtputf8"):
                raise PermanentFailure("the address needs SMTPUTF8, which the mail server does not offer")
            options.append("SMTPUTF8")  # RFC 6531
        try:
            # One message, one recipient: after a refusal smtplib resets the transaction and the
            # connection serves the next message.
            host.sendmail(message.sender, [message.recipient], message.data, options)
        except smtplib.SMTPRecipientsRefused as error:
            code, answer = next(iter(error.recipients.values()))
            self._raise_for(code, answer)
        except smtplib.SMTPResponseException as error:
            self._raise_for(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:  # refused, timeout, disconnected
            self._lost(error)

    @staticmethod
    def _raise_for(code: int, answer: bytes | str) -> None:
        text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
        reply = f"{code} {text}"
        if 400 <= code < 500:
            raise TemporaryFailure(reply)
        raise PermanentFailure(reply)

    def _write_file(self, message: Composed, name: str) -> None:
        directory = Path(self.config["MAIL_FILE_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{name}.eml").write_bytes(message.data)


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
