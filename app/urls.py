"""Absolute URLs, built from the routes on SERVER_BASE_URL.

Emails, feeds and invites are built where there is no request (the outbox worker, the CLI), and where there
is one its Host header is the client's to choose: every absolute link is therefore built on the configured
base URL, never on the request's host.
"""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, /, **values) -> str:
    """The absolute URL of a route (what `url_for(endpoint, _external=True, **values)` gives) on SERVER_BASE_URL."""
    base = urlsplit(current_app.config["SERVER_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url
