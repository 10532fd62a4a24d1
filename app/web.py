"""Cross-cutting HTTP concerns: security headers, readiness, proxy headers and an opt-in query counter."""

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, g, has_request_context, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import db

bp = Blueprint("web", __name__)

#: No inline script or style, nothing from another origin, never framed. Bootstrap-Flask serves its CSS
#: and JS from our own /bootstrap/static, so 'self' covers it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: One year, as browsers' preload lists expect; only sent in production (behind TLS).
HSTS = "max-age=31536000; includeSubDomains"


@bp.get("/readyz")
def readyz():
    """Ready when the database answers; a load balancer stops sending traffic on 503."""
    try:
        # Its own connection, not the request's session: a broken session must not break the check.
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        reason = str(error.orig if getattr(error, "orig", None) else error).strip().splitlines()[0]
        return {"status": "unavailable", "database": f"cannot be reached: {reason}"}, 503, {"Retry-After": "5"}
    return {"status": "ok", "database": "ok"}


def register_security_headers(app: Flask) -> None:
    """Every response, pages, feeds, errors and static files alike, carries the security headers."""

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("ENV_NAME") == "production":
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response


#: Primary keys are 32-bit integers on PostgreSQL: a larger id in a URL can only be a 404.
MAX_ID = 2**31 - 1


def register_input_guards(app: Flask) -> None:
    register_nul_guard(app)

    @app.before_request
    def refuse_ids_out_of_range():
        if any(isinstance(v, int) and not -MAX_ID <= v <= MAX_ID for v in (request.view_args or {}).values()):
            abort(404)

    # A connection lost mid-request leaves the session's transaction invalid: that is an outage too.
    app.register_error_handler(sa.exc.PendingRollbackError, _database_unavailable)


def _database_unavailable(error):
    """The same 503 page app/errors.py gives for an OperationalError."""
    current_app.logger.warning("database unavailable: %s", error)
    page = render_template(
        "errors/error.html",
        code=503,
        name="Service Unavailable",
        description="The service is briefly unavailable. Please try again in a moment.",
    )
    return page, 503, {"Retry-After": "5"}


def register_nul_guard(app: Flask) -> None:
    """PostgreSQL text cannot hold NUL characters: a path or form carrying one is refused up front with a
    400 instead of failing as a 500 deep in a query (found by `make drills`, bad input). Query parameters
    are left to the views, which ignore what they cannot use (e.g. an unknown `tz`)."""

    @app.before_request
    def refuse_nul_characters():
        values = [request.path]
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            values += [*request.form.keys(), *request.form.values()]
        if any("\x00" in value for value in values):
            abort(400, description="The request contains a NUL character, which is never valid here.")


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* from as many proxies as PROXY_FIX_X_FOR says (0: none, the default)."""
    hops = app.config.get("PROXY_FIX_X_FOR", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_query_counter(app: Flask) -> None:
    """With QUERY_COUNT_HEADER on, each response says how many SQL statements it ran (for the benchmark)."""
    if not app.config.get("QUERY_COUNT_HEADER"):
        return

    def count(conn, cursor, statement, *args):
        # SQLite's BEGIN IMMEDIATE (see extensions.py) is bookkeeping, not a query.
        if has_request_context() and not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            g.sql_queries = g.get("sql_queries", 0) + 1

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)

    @app.after_request
    def add_query_count(response):
        response.headers["X-Query-Count"] = str(g.get("sql_queries", 0))
        return response


def register_web(app: Flask) -> None:
    app.register_blueprint(bp)
    register_security_headers(app)
    register_input_guards(app)
    register_proxy_fix(app)
    register_query_counter(app)
