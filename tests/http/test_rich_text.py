"""Bios and descriptions on the public pages: the same safe Markdown as the speaker's profile preview."""

from tests.factories import make_appearance, make_event, make_item, make_person, make_session

BIO = "Works on **border management**.\n\nSee [the programme](https://example.org/prog) <script>alert(1)</script>"
BIO_HTML = (
    "<p>Works on <strong>border management</strong>.</p>\n"
    '<p>See <a href="https://example.org/prog" rel="nofollow noopener noreferrer">the programme</a>'
    " &lt;script&gt;alert(1)&lt;/script&gt;</p>"
)


def test_public_speaker_page_shows_the_bio_rendered_and_sanitised(client, app_context):
    event = make_event()
    item = make_item(make_session(event))
    person = make_person(event, bio=BIO)
    make_appearance(item, person)

    page = client.get(f"/events/{event.slug}/speakers/{person.id}/").text

    assert f'<div class="bio rich-text">{BIO_HTML}</div>' in page
    assert "**" not in page and "[the programme]" not in page and "<script>alert" not in page


def test_event_session_and_item_descriptions_keep_paragraphs_and_safe_markdown(client, app_context):
    event = make_event(description="First *paragraph*.\n\nSecond, with [a link](https://example.org/a).")
    session = make_session(event, description="Aims:\n\n- one\n- two")
    make_item(session, description='Read <img src=x onerror="alert(1)"> **this**')

    event_page = client.get(f"/events/{event.slug}/").text
    session_page = client.get(f"/events/{event.slug}/sessions/{session.id}/").text

    assert (
        '<div class="description rich-text"><p>First <em>paragraph</em>.</p>\n'
        '<p>Second, with <a href="https://example.org/a" rel="nofollow noopener noreferrer">a link</a>.</p></div>'
    ) in event_page
    assert '<p>Read &lt;img src=x onerror="alert(1)"&gt; <strong>this</strong></p>' in event_page
    assert "<img" not in event_page
    assert '<div class="description rich-text"><p>Aims:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul></div>' in (
        session_page
    )
