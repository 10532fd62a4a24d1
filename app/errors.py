"""Domain errors (messages fit to show a user) and the HTTP error pages."""

import math
import time

from flask import Flask, render_template
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.extensions import limiter
from app.wording import count


class DomainError(Exception):
    """A broken business rule; its message is shown to the user as it is."""

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message)

    default_message = "That cannot be done."
    #: The use case's changes stand although it ends with this error: the edge commits them, then lets the
    #: error travel on (app.transaction.use_case). False for every broken rule, which leaves nothing behind.
    keeps_changes = False

    @property
    def message(self) -> str:
        return str(self)


class NotFound(DomainError):
    default_message = "Not found."


class ValidationFailed(DomainError):
    default_message = "The data is not valid."


class SessionFull(DomainError):
    default_message = "This session is full."


class RegistrationClosed(DomainError):
    default_message = "Registration for this session is closed."


class AlreadyRegistered(DomainError):
    """The address holds a registration for the session already; says whether a fresh manage link went to it
    (at most one every few minutes: otherwise the last one is on its way)."""

    SENT = (
        "This email address is already registered for this session. "
        "We have sent a fresh link to manage the registration to that address."
    )
    NOT_SENT = (
        "This email address is already registered for this session. "
        "A link to manage the registration was sent to that address a few minutes ago: please look for it "
        "there (and in the spam folder)."
    )
    default_message = "This email address is already registered for this session."
    #: The fresh manage link that went out is kept.
    keeps_changes = True

    def __init__(self, message: str | None = None, *, link_sent: bool | None = None):
        if message is None and link_sent is not None:
            message = self.SENT if link_sent else self.NOT_SENT
        super().__init__(message)


class SessionCancelled(DomainError):
    default_message = "This session is cancelled: no seat can be given or changed; a message to its attendees is left."


class CapacityTooLow(DomainError):
    default_message = "The capacity cannot be lower than the seats already taken."


class InvalidToken(DomainError):
    default_message = "This link is not valid."


class NotASpeaker(DomainError):
    default_message = "This person does not appear in a published event or has no email address."


class LinkExpired(InvalidToken):
    default_message = "This sign-in link has expired."


class LinkUsed(InvalidToken):
    default_message = "This sign-in link has already been used."


def register_error_handlers(app: Flask) -> None:
    def render_http_error(error: HTTPException):
        return (
            render_template("errors/error.html", code=error.code, name=error.name, description=error.description),
            error.code,
        )

    def render_database_unavailable(error: OperationalError | PendingRollbackError):
        app.logger.warning("database unavailable: %s", error)
        return (
            render_template(
                "errors/error.html",
                code=503,
                name="Service Unavailable",
                description="The service is briefly unavailable. Please try again in a moment.",
            ),
            503,
            {"Retry-After": "5"},
        )

    def render_too_large(error: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        return render_template("errors/413.html", limit=_size(limit)), 413

    def render_too_many(error: RateLimitExceeded):
        seconds = _seconds_to_wait(error)
        return (
            render_template(
                "errors/error.html",
                code=429,
                name="Please wait a little",
                description=(
                    f"That was tried too many times in a row. Please wait {_wait_words(seconds)}, then try again."
                ),
            ),
            429,
            {"Retry-After": str(seconds)},
        )

    def render_expired(error: CSRFError):
        return (
            render_template(
                "errors/error.html",
                code=400,
                name="This page had expired",
                description=(
                    "It was open for a long time, or you signed in or out since. Nothing was changed: "
                    "go back, reload the page and try again."
                ),
            ),
            400,
        )

    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(CSRFError, render_expired)
    app.register_error_handler(RateLimitExceeded, render_too_many)
    app.register_error_handler(RequestEntityTooLarge, render_too_large)
    app.register_error_handler(OperationalError, render_database_unavailable)
    # A connection lost mid-request leaves the session's transaction invalid: that is an outage too.
    app.register_error_handler(PendingRollbackError, render_database_unavailable)


def _seconds_to_wait(error: RateLimitExceeded) -> int:
    """Until the limit that was hit lets a request through again (its whole window if the store cannot say)."""
    current = limiter.current_limit
    if current is not None and current.breached:
        return max(1, math.ceil(current.reset_at - time.time()))
    return max(1, int(error.limit.limit.get_expiry()))


def _wait_words(seconds: int) -> str:
    """42 -> 'a minute', 901 -> '15 minutes', 3601 -> 'an hour', 7200 -> '2 hours', 172800 -> '2 days' (to the
    nearest)."""
    minutes, hours = round(seconds / 60), round(seconds / 3600)
    if minutes <= 1:
        return "a minute"
    if minutes < 60:
        return count(minutes, "minute")
    if hours < 48:
        return "an hour" if hours == 1 else count(hours, "hour")
    return count(round(seconds / 86400), "day")


def _size(size_in_bytes: int) -> str:
    """1048576 -> '1 MiB', 524288 -> '512 KiB'."""
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size_in_bytes >= size:
            return f"{size_in_bytes / size:.3g} {unit}"
    return f"{size_in_bytes} bytes"
