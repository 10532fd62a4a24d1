"""Bios nested too deeply for Markdown: measured, refused by forms, and shown as escaped text, never raised."""

import pytest

from app.speakers.sanitise import MAX_BIO_NESTING, bio_nesting, bio_nesting_problem, render_bio


@pytest.mark.parametrize(
    ("text", "depth"),
    [("Plain text.", 0), ("- a\n- b", 1), ("- a\n    - b", 2), ("> - 1. x", 3), ("- " * 500, 500), ("* * *", 3)],
)
def test_bio_nesting_counts_the_markers_and_indents_that_start_a_line(text, depth):
    assert bio_nesting(text) == depth


def test_a_bio_as_deep_as_allowed_renders_as_markdown():
    text = "".join("    " * i + "- level\n" for i in range(MAX_BIO_NESTING))

    assert bio_nesting_problem(text) is None
    assert str(render_bio(text)).count("<ul>") == MAX_BIO_NESTING


@pytest.mark.parametrize("text", ["1. " * 500, "- " * 500, "> " * 1000])
def test_render_bio_of_a_too_deep_bio_gives_escaped_text_and_never_raises(text):
    html = str(render_bio(text + "<script>x</script>"))

    assert html.startswith("<p>") and html.endswith("&lt;script&gt;x&lt;/script&gt;</p>")
    assert "<script>" not in html and "<ul>" not in html
    assert bio_nesting_problem(text) == (
        "Lists and quotes may be nested at most 8 levels deep: "
        "remove some of the “-”, “*”, “>” or “1.” at the start of the lines."
    )
