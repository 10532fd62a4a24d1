"""Domain errors (messages fit to show a user) and the HTTP error pages."""

import math
import time

from babel.numbers import format_decimal
from flask import Flask, has_request_context, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.extensions import limiter


class DomainError(Exception):
    """A broken business rule; its message is shown to the user as it is."""

    def __init__(self, message: str | None = None):
        super().__init__(str(message or self.default_message))

    default_message = _l("That cannot be done.")
    #: The use case's changes stand although it ends with this error: the edge commits them, then lets the
    #: error travel on (app.transaction.use_case). False for every broken rule, which leaves nothing behind.
    keeps_changes = False

    @property
    def message(self) -> str:
        return str(self)


class NotFound(DomainError):
    default_message = _l("Not found.")


class ValidationFailed(DomainError):
    default_message = _l("The data is not valid.")


class SessionFull(DomainError):
    default_message = _l("This session is full.")


class RegistrationClosed(DomainError):
    default_message = _l("Registration for this session is closed.")


class AlreadyRegistered(DomainError):
    """The address holds a registration for the session already; says whether a fresh manage link went to it
    (at most one every few minutes: otherwise the last one is on its way)."""

    SENT = _l(
        "This email address is already registered for this session. "
        "We have sent a fresh link to manage the registration to that address."
    )
    NOT_SENT = _l(
        "This email address is already registered for this session. "
        "A link to manage the registration was sent to that address a few minutes ago: please look for it "
        "there (and in the spam folder)."
    )
    default_message = _l("This email address is already registered for this session.")
    #: The fresh manage link that went out is kept.
    keeps_changes = True

    def __init__(self, message: str | None = None, *, link_sent: bool | None = None):
        if message is None and link_sent is not None:
            message = self.SENT if link_sent else self.NOT_SENT
        super().__init__(message)


class SessionCancelled(DomainError):
    default_message = _l(
        "This session is cancelled: no seat can be given or changed; a message to its attendees is left."
    )


class CapacityTooLow(DomainError):
    default_message = _l("The capacity cannot be lower than the seats already taken.")


class InvalidToken(DomainError):
    default_message = _l("This link is not valid.")


class NotASpeaker(DomainError):
    default_message = _l("This person does not appear in a published event or has no email address.")


class LinkExpired(InvalidToken):
    default_message = _l("This sign-in link has expired.")


class LinkUsed(InvalidToken):
    default_message = _l("This sign-in link has already been used.")


#: The names and default explanations of the HTTP errors people meet, in the catalogue (Werkzeug's own English words
#: as msgids, so English pages say what they said before). A description given with `abort()` is shown instead.
HTTP_NAMES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    410: _l("Gone"),
    413: _l("Request Entity Too Large"),
    415: _l("Unsupported Media Type"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}
HTTP_DESCRIPTIONS = {
    400: _l("The browser (or proxy) sent a request that this server could not understand."),
    401: _l(
        "The server could not verify that you are authorized to access the URL requested. You either supplied the "
        "wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials "
        "required."
    ),
    403: _l(
        "You don't have the permission to access the requested resource. It is either read-protected or not "
        "readable by the server."
    ),
    405: _l("The method is not allowed for the requested URL."),
    410: _l(
        "The requested URL is no longer available on this server and there is no forwarding address. If you "
        "followed a link from a foreign page, please contact the author of this page."
    ),
    415: _l("The server does not support the media type transmitted in the request."),
    500: _l(
        "The server encountered an internal error and was unable to complete your request. Either the server is "
        "overloaded or there is an error in the application."
    ),
    503: _l(
        "The server is temporarily unable to service your request due to maintenance downtime or capacity "
        "problems. Please try again later."
    ),
}


def http_error_words(error: HTTPException) -> tuple[str, str]:
    """The page's heading and explanation in the page's language."""
    name = HTTP_NAMES.get(error.code)
    given = error.description != type(error).description
    description = error.description if given else HTTP_DESCRIPTIONS.get(error.code, error.description)
    return (str(name) if name is not None else error.name), str(description)


def register_error_handlers(app: Flask) -> None:
    def render_http_error(error: HTTPException):
        name, description = http_error_words(error)
        return (
            _error_page("errors/error.html", code=error.code, name=name, description=description),
            error.code,
        )

    def render_database_unavailable(error: OperationalError | PendingRollbackError):
        app.logger.warning("database unavailable: %s", error)
        return (
            render_template(
                "errors/error.html",
                code=503,
                name=_("Service Unavailable"),
                description=_("The service is briefly unavailable. Please try again in a moment."),
            ),
            503,
            {"Retry-After": "5"},
        )

    def render_too_large(error: RequestEntityTooLarge):
        # An upload page's request may be larger (app.web.accepts_upload): it says the materials' own limit.
        upload = has_request_context() and getattr(
            app.view_functions.get(request.endpoint or ""), "accepts_upload", False
        )
        limit = app.config["MATERIALS_MAX_BYTES"] if upload else app.config.get("MAX_CONTENT_LENGTH") or 0
        return _error_page("errors/413.html", limit=_size(limit), upload=upload), 413

    def render_too_many(error: RateLimitExceeded):
        seconds = _seconds_to_wait(error)
        return (
            render_template(
                "errors/error.html",
                code=429,
                name=_("Please wait a little"),
                description=_(
                    "That was tried too many times in a row. Please wait %(wait)s, then try again.",
                    wait=_wait_words(seconds),
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
                name=_("This page had expired"),
                description=_(
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


def _error_page(template: str, **context) -> str:
    """An error page; its language switch leads to the home page, so that the page never depends on the URL (two
    404s, of a wrong token and of no token, are the same page)."""
    return render_template(template, language_back=url_for("agenda.index"), **context)


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
        return _("a minute")
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    if hours < 48:
        return _("an hour") if hours == 1 else ngettext("%(num)d hour", "%(num)d hours", hours)
    days = round(seconds / 86400)
    return ngettext("%(num)d day", "%(num)d days", days)


def size_words(size_in_bytes: int) -> str:
    """1048576 -> '1 MiB', 524288 -> '512 KiB', 1536 -> '1.5 KiB' (in French '1,5 Kio'); the request limits and
    the materials' sizes say it so."""
    units = ((1024**3, _l("%(num)s GiB")), (1024**2, _l("%(num)s MiB")), (1024, _l("%(num)s KiB")))
    for size, unit in units:
        if size_in_bytes >= size:
            number = format_decimal(float(f"{size_in_bytes / size:.3g}"), locale=get_locale())
            return str(unit) % {"num": number}
    return ngettext("%(num)d byte", "%(num)d bytes", size_in_bytes)


_size = size_words
