"""Request logging through the standard `logging` module, to stderr, under gunicorn and `flask run` alike.

One line per request on the `app.requests` logger: method, route (the URL rule, never the raw path, which
may carry a token), status, duration in ms and a request id (a sane incoming X-Request-ID, else a new one,
sent back as a response header). Never a query string, an email address or a token. Every logger under
`app.` (requests, the outbox, the bio renderer) writes INFO and above to stderr through Flask's handler.
"""

import logging
import re
import time
import uuid

from flask import Flask, g, request

logger = logging.getLogger("app.requests")

#: An incoming request id is kept only if it looks like one (a proxy's or load balancer's); anything else
#: (too long, spaces, control characters, an address) is replaced, so nothing a client types reaches the log.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
REQUEST_ID_HEADER = "X-Request-ID"
#: What werkzeug's development server writes for each request: the raw request line, query string included.
_WERKZEUG_REQUEST_LINE = '"%s" %s %s'


class _NoRawRequestLines(logging.Filter):
    """`flask run` logs each request's raw line (tokens and query strings in it): app.requests says it instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _WERKZEUG_REQUEST_LINE not in str(record.msg)


def configure_logging(app: Flask) -> None:
    """INFO and above of every `app.*` logger go to stderr (Flask's own handler on the `app` logger, which
    gunicorn's workers and `flask run` both keep)."""
    app_logger = logging.getLogger("app")
    app.logger  # noqa: B018 - creating Flask's logger adds its stderr handler when none is configured
    if app_logger.level == logging.NOTSET or app_logger.level > logging.INFO:
        app_logger.setLevel(logging.INFO)
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, _NoRawRequestLines) for f in werkzeug.filters):
        werkzeug.addFilter(_NoRawRequestLines())


def register_request_log(app: Flask) -> None:
    """First in and last out: the clock starts before any other hook and the line is written after every
    other hook has had its say on the response."""

    def start_clock():
        g.request_started = time.perf_counter()
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex

    def log_request(response):
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else 0.0
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = request_id
        route = request.url_rule.rule if request.url_rule is not None else "-"
        fields = {
            "method": request.method[:16],
            "route": route,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "request_id": request_id,
        }
        logger.info(" ".join(f"{name}={value}" for name, value in fields.items()), extra=fields)
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, start_clock)
    # after_request hooks run last-registered first: at the head of the list, this one runs last.
    app.after_request_funcs.setdefault(None, []).insert(0, log_request)
