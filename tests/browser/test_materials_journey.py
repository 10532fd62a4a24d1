"""A panellist uploads their slides from the speaker pages; once the session is over the slides are on the public
session page, and the download is the same file under its own name. axe-core finds nothing on the upload page."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import (
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Material,
    Person,
    Role,
    Speaker,
    SpeakerLoginToken,
)
from app.security import hash_token
from tests import material_samples
from tests.factories import at

pytestmark = pytest.mark.browser

#: The day of a session that is over.
PAST = date(2025, 10, 30)
SIGN_IN_TOKEN = "panellist-sign-in-token-of-the-materials-journey"


@pytest.fixture
def past_panel(app):
    """A published event whose morning session is over, with a panellist who can sign in with a link."""
    with app.app_context():
        event = Event(
            slug="earlier-exchange",
            title="Earlier Exchange Event",
            venue="Brussels",
            timezone="Europe/Brussels",
            starts_on=PAST,
            ends_on=PAST,
            status=EventStatus.PUBLISHED,
        )
        session = EventSession(
            event=event, title="Morning session", starts_at=at(8, day=PAST), ends_at=at(12, day=PAST)
        )
        panel = AgendaItem(
            session=session,
            title="Looking Ahead",
            kind=ItemKind.PANEL,
            starts_at=at(9, day=PAST),
            ends_at=at(10, day=PAST),
        )
        person = Person(event=event, honorific="Dr", name="Erik Panellist", email="erik.panellist@example.org")
        appearance = Appearance(item=panel, person=person, role=Role.PANELLIST)
        speaker = Speaker(email=person.email)
        db.session.add_all([event, session, panel, person, appearance, speaker])
        db.session.flush()
        db.session.add(
            SpeakerLoginToken(
                speaker=speaker,
                token_hash=hash_token(SIGN_IN_TOKEN),
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )
        db.session.commit()
        ids = {"slug": event.slug, "session_id": session.id, "appearance_id": appearance.id}
        db.session.remove()
    return ids


def test_a_panellist_uploads_slides_which_the_public_then_downloads(app, live_server, page, axe, past_panel, tmp_path):
    slides = material_samples.pdf("Looking Ahead")
    page.goto(f"{live_server}/speaker/sign-in/{SIGN_IN_TOKEN}")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My slots")

    page.get_by_role("link", name="Slides and files for “Looking Ahead”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your files for “Looking Ahead”")
    assert axe() == []
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "Looking Ahead – panel.pdf", "mimeType": "application/pdf", "buffer": slides}
    )
    page.get_by_label("Public, once the session is over").check()
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_contain_text(
        "“Looking Ahead – panel.pdf” is uploaded."
    )
    expect(page.locator("table.materials-table")).to_contain_text("Looking Ahead – panel.pdf")
    assert axe() == []

    page.goto(f"{live_server}/events/{past_panel['slug']}/sessions/{past_panel['session_id']}/")
    item = page.locator(".agenda-item", has_text="Looking Ahead")
    link = item.get_by_role("link", name="Looking Ahead – panel.pdf")
    expect(link).to_be_visible()
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    saved = tmp_path / "download.pdf"
    download.save_as(saved)

    assert download.suggested_filename == "Looking Ahead – panel.pdf"
    assert saved.read_bytes() == slides
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Material)) == 1
        db.session.remove()
