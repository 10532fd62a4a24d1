"""The bio sanitiser: Markdown's safe subset survives; no script, event handler or javascript: link does."""

from html.parser import HTMLParser

import pytest
from flask import render_template_string
from hypothesis import given, settings
from hypothesis import strategies as st

from app.speakers.sanitise import ALLOWED_TAGS, render_bio, sanitise_html


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def _assert_safe(html: str) -> None:
    for tag, attrs in _tags(html):
        assert tag in ALLOWED_TAGS, html
        assert set(attrs) <= {"href", "rel"}, html
        if "href" in attrs:
            assert attrs["href"].split(":", 1)[0].lower() in {"http", "https", "mailto"}, html


def test_render_bio_keeps_markdown_emphasis_lists_and_web_links():
    html = render_bio("Works on **borders** and *security*.\n\n- one\n- two\n\n[RAND](https://www.rand.org/)")

    assert str(html) == (
        "<p>Works on <strong>borders</strong> and <em>security</em>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        '<p><a href="https://www.rand.org/" rel="nofollow noopener noreferrer">RAND</a></p>'
    )


def test_render_bio_of_plain_text_is_paragraphs():
    assert str(render_bio("Line one\n\nLine two")) == "<p>Line one</p>\n<p>Line two</p>"
    assert str(render_bio("   ")) == ""
    assert str(render_bio(None)) == ""


@pytest.mark.parametrize(
    "bio",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](java&#x09;script:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        '<svg onload="alert(1)"></svg>',
        "<iframe src=//evil.example.org></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        '[x](https://ok.example.org "title" onmouseover=alert(1))',
        "![x](https://example.org/a.png)",
        "<<script>script>alert(1)<</script>/script>",
        '[x]("")',  # a link title: nh3 keeps `title` on every tag unless told otherwise (found by hypothesis)
    ],
)
def test_render_bio_lets_no_script_handler_or_javascript_link_through(bio):
    html = str(render_bio(bio))

    _assert_safe(html)
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<svg" not in lowered and "<iframe" not in lowered
    assert [attrs.get("href") for _, attrs in _tags(html) if attrs.get("href")] in ([], ["https://ok.example.org"])


def test_raw_html_in_a_bio_is_shown_as_text():
    assert str(render_bio("I like <b>bold</b> & co")) == "<p>I like &lt;b&gt;bold&lt;/b&gt; &amp; co</p>"


def test_sanitise_html_drops_disallowed_tags_attributes_and_relative_links():
    html = sanitise_html('<p class="x" onclick="y">a <a href="/admin">b</a> <a href="mailto:a@example.org">c</a></p>')

    assert html == (
        '<p>a <a rel="nofollow noopener noreferrer">b</a> '
        '<a href="mailto:a@example.org" rel="nofollow noopener noreferrer">c</a></p>'
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<script>",
                "</script>",
                "<img src=x onerror=alert(1)>",
                "javascript:",
                "[x](",
                ")",
                "](",
                "<a href=",
                '"',
                "'",
                "**",
                "*",
                "\n\n",
                "- ",
                "> ",
                "&#",
                "x09;",
                "onload=",
                "https://a.example.org",
                "`",
                "<",
                ">",
                " ",
                "text",
            ]
        ),
        max_size=25,
    ).map("".join)
)
def test_render_bio_output_is_always_within_the_allowlist(bio):
    _assert_safe(str(render_bio(bio)))


def test_bio_template_filter_is_available_to_every_template(app_context):
    html = render_template_string("{{ bio|bio }}", bio="**Hi** <script>x</script>")

    assert html == "<p><strong>Hi</strong> &lt;script&gt;x&lt;/script&gt;</p>"
