"""Speakers' bios: plain text or a small, safe subset of Markdown, turned into HTML that carries no script.

Two layers, so that a gap in one is not a hole: raw HTML is never interpreted (every `<` is escaped before
Markdown runs), and the HTML Markdown produces goes through nh3 (ammonia) with a short allowlist of tags,
no attributes but `href` on links, and only absolute http, https and mailto URLs.
"""

import logging
import re

import markdown
import nh3
from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms.validators import ValidationError

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code"}
#: "*" empties nh3's generic attributes (it lets `title` and `lang` through on every tag by default).
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
#: Longest bio accepted, in characters (a short bio, not a CV).
MAX_BIO_LENGTH = 3000
#: Deepest nesting of lists and quotes a bio may have. Python-Markdown recurses once per level (nested
#: numbered lists overflow Python's stack after a few hundred) and the sanitiser drops what is nested too
#: deeply; a real bio needs two or three levels.
MAX_BIO_NESTING = 8
#: One block marker at the start of a line: a quote, a bullet or a number, after optional indentation.
_MARKER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))")

logger = logging.getLogger(__name__)


def bio_nesting(text: str | None) -> int:
    """How deeply the bio's lists and quotes nest: the most block markers (and 4-space indents) that
    start one line."""
    deepest = 0
    for line in (text or "").splitlines():
        expanded = line.expandtabs(4)
        depth = (len(expanded) - len(expanded.lstrip(" "))) // 4
        position = 0
        while (marker := _MARKER.match(line, position)) is not None and marker.end() > position:
            depth += 1
            position = marker.end()
        deepest = max(deepest, depth)
    return deepest


def shallow_enough(form, field) -> None:
    """WTForms validator for a bio field: refuses lists and quotes nested too deeply, next to the field."""
    problem = bio_nesting_problem(field.data)
    if problem:
        raise ValidationError(problem)


def bio_nesting_problem(text: str | None) -> str | None:
    """The message for a bio nested too deeply to show as Markdown, else None (a form shows it)."""
    if bio_nesting(text) > MAX_BIO_NESTING:
        return _(
            "Lists and quotes may be nested at most %(levels)d levels deep: "
            "remove some of the “-”, “*”, “>” or “1.” at the start of the lines.",
            levels=MAX_BIO_NESTING,
        )
    return None


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
    """A bio as safe HTML: Markdown emphasis, lists, quotes and http(s)/mailto links; raw HTML shows as text.

    Never raises: a bio nested too deeply (saved before forms refused it), or anything else Markdown
    cannot render, is shown as escaped plain text instead, so the pages that show it keep working."""
    if not text or not text.strip():
        return Markup("")
    if bio_nesting(text) > MAX_BIO_NESTING:
        return plain_bio(text)
    source = text.replace("\r\n", "\n").replace("&", "&amp;").replace("<", "&lt;")
    try:
        return Markup(sanitise_html(markdown.markdown(source, output_format="html")))
    except Exception:  # noqa: BLE001 - whatever the parser raises (RecursionError first), the page must show
        logger.warning("a bio of %d characters could not be rendered as Markdown; shown as text", len(text))
        return plain_bio(text)


def plain_bio(text: str) -> Markup:
    """The bio as escaped text: paragraphs at blank lines, line breaks kept."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in p.split("\n")))
        for p in paragraphs
        if p.strip()
    )
