"""Cross-cutting HTTP concerns: security headers, private pages, readiness, proxy headers and an opt-in query
counter."""

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, g, has_request_context, request
from flask_babel import gettext as _
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


#: Blueprints whose every page is someone's own: never stored by a browser or a proxy.
PRIVATE_BLUEPRINTS = frozenset({"organiser", "speakers"})
#: URL arguments that hold a secret: such a page is private, and its address is never sent as a Referer.
TOKEN_ARGUMENTS = frozenset({"token"})
#: Private responses that choose their own caching: the speaker's calendar feed is polled by calendar
#: clients with If-None-Match, so it says "private, no-cache" (shared caches never keep it, clients
#: revalidate every time) instead of no-store.
OWN_CACHE_CONTROL = frozenset({"speakers.feed"})


@bp.get("/readyz")
def readyz():
    """Ready when the database answers; a load balancer stops sending traffic on 503. The caller learns
    only ready or not: why the database cannot be reached goes to the log, for the operator."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        discard_session()
        reason = str(error.orig if getattr(error, "orig", None) else error).strip().splitlines()[0]
        current_app.logger.warning("not ready: the database cannot be reached: %s", reason)
        return {"status": "unavailable"}, 503, {"Retry-After": "5"}
    return {"status": "ok"}


def discard_session() -> None:
    """Throw the request's session away even when its connection is gone: closing it rolls back, which
    raises on a lost connection and would leave the session registered for the next close to fail again."""
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001 - psycopg or SQLAlchemy, the connection is dead either way
        db.session.registry.clear()


def register_session_teardown(app: Flask) -> None:
    """Runs before Flask-SQLAlchemy's own teardown (registered earlier, so run later), which would
    otherwise turn a connection lost during a database restart into a bare 500 after the 503 page."""

    @app.teardown_appcontext
    def discard_session_quietly(_error=None):
        discard_session()


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


def is_token_page() -> bool:
    """The request's URL holds a secret (a manage link, a sign-in or reset link, a feed address)."""
    rule = request.url_rule
    return rule is not None and not TOKEN_ARGUMENTS.isdisjoint(rule.arguments)


def register_private_headers(app: Flask) -> None:
    """Organiser and speaker pages and every page behind a token are never cached (`no-store`), decided
    here once from the blueprint and the URL rule, so a new view cannot forget it; a token's page sends no
    Referer at all, so its address never leaves with a click."""

    @app.after_request
    def add_private_headers(response):
        token_page = is_token_page()
        if token_page:
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Robots-Tag"] = "noindex"
        if (token_page or request.blueprint in PRIVATE_BLUEPRINTS) and request.endpoint not in OWN_CACHE_CONTROL:
            response.headers["Cache-Control"] = "no-store"
        return response


#: Primary keys are 32-bit integers on PostgreSQL: a larger id in a URL can only be a 404.
MAX_ID = 2**31 - 1


def register_input_guards(app: Flask) -> None:
    register_nul_guard(app)
    register_form_bodies_only(app)

    @app.before_request
    def refuse_ids_out_of_range():
        if any(isinstance(v, int) and not -MAX_ID <= v <= MAX_ID for v in (request.view_args or {}).values()):
            abort(404)


def register_nul_guard(app: Flask) -> None:
    """PostgreSQL text cannot hold NUL characters: a path carrying one is refused up front with a 400
    instead of failing as a 500 deep in a query (found by `make drills`, bad input). Forms and query
    parameters are left to the views, which answer next to the field or ignore what they cannot use."""

    @app.before_request
    def refuse_nul_characters():
        if "\x00" in request.path:
            abort(400, description=_("The request contains a NUL character, which is never valid here."))


def register_form_bodies_only(app: Flask) -> None:
    """Every page here takes HTML forms; none takes JSON. Flask-WTF would read a JSON body as the form's
    data (a list, a number or nested values where strings are expected: a 500 in a form or in any page
    that builds one), so a JSON body is refused up front with a 415, whatever the route."""

    @app.before_request
    def refuse_json_bodies():
        if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS"):
            abort(415, description=_("This site takes web forms only, not JSON: send the form from its page."))


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


def reads_only(view):
    """Marks a view that only reads (apply it under @login_required and the like, which copy the mark).

    On PostgreSQL its request runs its queries without a transaction: psycopg then sends no BEGIN before the
    first query and no ROLLBACK at the end, two of the four round trips of the organiser's list. Each query
    still sees committed data only; what is lost is one snapshot for all of them, which a page that shows
    one session's kept listing (keyed on a version read in the same row) does not need. Never for a view
    that writes: each statement would commit on its own."""
    view.reads_only = True
    return view


def register_read_only_requests(app: Flask) -> None:
    @app.before_request
    def run_reads_without_a_transaction():
        view = current_app.view_functions.get(request.endpoint)
        if (
            getattr(view, "reads_only", False)
            and request.method in ("GET", "HEAD")
            and db.engine.dialect.name == "postgresql"
            and not db.session().in_transaction()  # (tests share one session across requests)
        ):
            # The pool puts the connection's isolation level back when it is returned.
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


#: What a form that carries a file sends besides the file (its fields, the multipart framing).
UPLOAD_OVERHEAD_BYTES = 64 * 1024


def accepts_upload(view):
    """Marks a view whose form carries a material: its request may be as large as MATERIALS_MAX_BYTES (and the
    form's other fields), every other request stays within MAX_REQUEST_BYTES. Set before any before_request
    handler (CSRF protection reads the form), since URL value preprocessors run first."""
    view.accepts_upload = True
    return view


def is_upload_request() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "accepts_upload", False))


def register_upload_limits(app: Flask) -> None:
    @app.url_value_preprocessor
    def allow_uploads(_endpoint, _values):
        if is_upload_request():
            request.max_content_length = app.config["MATERIALS_MAX_BYTES"] + UPLOAD_OVERHEAD_BYTES


def register_web(app: Flask) -> None:
    app.register_blueprint(bp)
    register_upload_limits(app)
    register_read_only_requests(app)
    register_security_headers(app)
    register_private_headers(app)
    register_input_guards(app)
    register_session_teardown(app)
    register_proxy_fix(app)
    register_query_counter(app)
