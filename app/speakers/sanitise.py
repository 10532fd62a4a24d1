"""Speakers' bios: plain text or a small, safe subset of Markdown, turned into HTML that carries no script.

Two layers, so that a gap in one is not a hole: raw HTML is never interpreted (every `<` is escaped before
Markdown runs), and the HTML Markdown produces goes through nh3 (ammonia) with a short allowlist of tags,
no attributes but `href` on links, and only absolute http, https and mailto URLs.
"""

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code"}
#: "*" empties nh3's generic attributes (it lets `title` and `lang` through on every tag by default).
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
#: Longest bio accepted, in characters (a short bio, not a CV).
MAX_BIO_LENGTH = 3000


def sanitise_html(html: str) -> str:
    """Keep only the allowlisted tags and safe links; everything else is dropped or escaped."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        url_relative="deny",
    )


def render_bio(text: str | None) -> Markup:
    """A bio as safe HTML: Markdown emphasis, lists, quotes and http(s)/mailto links; raw HTML shows as text."""
    if not text or not text.strip():
        return Markup("")
    source = text.replace("\r\n", "\n").replace("&", "&amp;").replace("<", "&lt;")
    html = markdown.markdown(source, output_format="html")
    return Markup(sanitise_html(html))
