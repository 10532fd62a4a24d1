"""Materials through the test client: who may download which file when, the download's headers, uploads by
organisers and speakers, replacing and deleting with their audit trail, and bad files refused."""

import io
import os
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.materials import checks, storage
from app.models import ActivityEntry, EventStatus, Material, MaterialVisibility, RegistrationStatus
from tests import material_samples as samples
from tests.factories import (
    at,
    make_appearance,
    make_event,
    make_item,
    make_material,
    make_person,
    make_registration,
    make_session,
)
from tests.http.conftest import make_organiser
from tests.http.test_speaker_pages import sign_in_as as sign_in_as_speaker

#: A day long gone: its sessions are over.
PAST = date(2025, 10, 30)


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def world(app_context):
    event = make_event(title="MPF Exchange Event")
    organiser = make_organiser("alpha.organiser@example.org", events=[event])
    past = make_session(event, title="Morning (over)", starts_at=at(8, day=PAST), ends_at=at(12, day=PAST))
    panel = make_item(past, title="Looking Ahead", starts_at=at(9, day=PAST), ends_at=at(10, day=PAST))
    other_item = make_item(past, title="Typology", starts_at=at(10, day=PAST), ends_at=at(11, day=PAST))
    future = make_session(event, title="Follow-up (to come)")
    future_item = make_item(future, title="Questions")
    ana = make_person(event, name="Ana Speaker", email="ana@example.org")
    ben = make_person(event, name="Ben Speaker", email="ben@example.org")
    ana_slot = make_appearance(panel, ana)
    make_appearance(future_item, ana)
    ben_slot = make_appearance(other_item, ben)
    confirmed = make_registration(past, token="past-confirmed")
    make_registration(
        past, token="past-waitlisted", status=RegistrationStatus.WAITLISTED, waitlisted_at=at(7, day=PAST)
    )
    make_registration(past, token="past-cancelled", status=RegistrationStatus.CANCELLED)
    make_registration(future, token="future-confirmed")
    other_event = make_event(title="Other Event")
    other_organiser = make_organiser("beta.organiser@example.org", events=[other_event])
    other_past = make_session(other_event, title="Other past", starts_at=at(8, day=PAST), ends_at=at(12, day=PAST))
    make_registration(other_past, token="other-event-confirmed")
    return dict(
        event=event,
        organiser=organiser,
        other_organiser=other_organiser,
        past=past,
        panel=panel,
        other_item=other_item,
        future=future,
        future_item=future_item,
        ana=ana,
        ben=ben,
        ana_slot=ana_slot,
        ben_slot=ben_slot,
        confirmed=confirmed,
    )


def public_url(world, material) -> str:
    return f"/events/{world['event'].slug}/materials/{material.id}"


def registrant_url(token: str, material) -> str:
    return f"/registrations/{token}/materials/{material.id}"


# --- who may download what, and when ------------------------------------------------------------------


def test_a_public_file_of_a_session_that_is_over_is_listed_and_downloads_for_anyone(client, world):
    material = make_material(world["past"], world["panel"], by=world["ana"], name="Looking Ahead slides.pdf")

    event_page = _text(client.get(f"/events/{world['event'].slug}/"))
    session_page = _text(client.get(f"/events/{world['event'].slug}/sessions/{world['past'].id}/"))
    response = client.get(public_url(world, material))

    link = f'href="{public_url(world, material)}"'
    assert link in event_page and "Looking Ahead slides.pdf" in event_page
    assert link in session_page
    assert response.status_code == 200
    assert response.data == samples.pdf()


def test_a_public_file_of_a_session_still_to_come_is_neither_listed_nor_served(client, world):
    material = make_material(world["future"], world["future_item"], by=world["organiser"])

    page = _text(client.get(f"/events/{world['event'].slug}/"))
    response = client.get(public_url(world, material))

    assert public_url(world, material) not in page
    assert response.status_code == 404


def test_a_public_file_of_a_draft_event_is_not_served(client, world):
    material = make_material(world["past"], world["panel"], by=world["organiser"])
    world["event"].status = EventStatus.DRAFT
    db.session.commit()

    assert client.get(public_url(world, material)).status_code == 404


def test_a_file_is_not_served_under_another_events_address(client, world):
    material = make_material(world["past"], world["panel"], by=world["organiser"])
    other = make_event(title="Elsewhere")

    assert client.get(f"/events/{other.slug}/materials/{material.id}").status_code == 404


def test_a_registrants_file_opens_only_to_confirmed_registrants_of_its_session_once_over(client, world):
    material = make_material(world["past"], visibility="registrants", by=world["organiser"], name="notes.pdf")

    answers = {
        token: client.get(registrant_url(token, material)).status_code
        for token in (
            "past-confirmed",
            "past-waitlisted",
            "past-cancelled",
            "future-confirmed",
            "other-event-confirmed",
        )
    }

    assert answers == {
        "past-confirmed": 200,
        "past-waitlisted": 404,
        "past-cancelled": 404,
        "future-confirmed": 404,
        "other-event-confirmed": 404,
    }
    assert client.get(public_url(world, material)).status_code == 404
    assert client.get(registrant_url("not-a-token", material)).status_code == 404


def test_the_manage_page_lists_the_registrants_and_public_files_once_the_session_is_over(client, world):
    public = make_material(world["past"], world["panel"], by=world["organiser"], name="public.pdf")
    theirs = make_material(world["past"], visibility="registrants", by=world["organiser"], name="theirs.pdf")
    hidden = make_material(world["past"], visibility="organisers", by=world["organiser"], name="hidden.pdf")

    confirmed = _text(client.get("/registrations/past-confirmed/"))
    waitlisted = _text(client.get("/registrations/past-waitlisted/"))

    assert registrant_url("past-confirmed", public) in confirmed
    assert registrant_url("past-confirmed", theirs) in confirmed
    assert "hidden.pdf" not in confirmed and registrant_url("past-confirmed", hidden) not in confirmed
    assert "Slides and documents" in confirmed
    assert "theirs.pdf" not in waitlisted and "Slides and documents" not in waitlisted


def test_the_manage_page_lists_nothing_before_the_session_is_over(client, world):
    make_material(world["future"], visibility="registrants", by=world["organiser"], name="early.pdf")

    page = _text(client.get("/registrations/future-confirmed/"))

    assert "early.pdf" not in page and "Slides and documents" not in page


def test_an_organisers_only_file_is_not_public_nor_for_registrants(client, world):
    material = make_material(world["past"], world["panel"], visibility="organisers", by=world["organiser"])

    assert client.get(public_url(world, material)).status_code == 404
    assert client.get(registrant_url("past-confirmed", material)).status_code == 404


def test_an_organisers_only_file_opens_to_the_events_organisers(client, world, sign_in):
    material = make_material(world["past"], world["panel"], visibility="organisers", by=world["organiser"])
    sign_in(world["organiser"])

    response = client.get(f"/organiser/materials/{material.id}/file")

    assert response.status_code == 200
    assert response.data == samples.pdf()


def test_another_events_organiser_gets_404_for_a_file(client, world, sign_in):
    material = make_material(world["past"], world["panel"], visibility="public", by=world["organiser"])
    sign_in(world["other_organiser"])

    assert client.get(f"/organiser/materials/{material.id}/file").status_code == 404
    assert client.get(f"/organiser/materials/{material.id}/").status_code == 404
    assert client.get(f"/organiser/items/{world['panel'].id}/materials/").status_code == 404
    assert client.get(f"/organiser/sessions/{world['past'].id}/materials/").status_code == 404


def test_a_speaker_downloads_their_own_upload_and_no_other_speakers(app, client, world):
    anas = make_material(world["past"], world["panel"], visibility="organisers", by=world["ana"])
    bens = make_material(world["past"], world["other_item"], visibility="organisers", by=world["ben"])

    sign_in_as_speaker(client, world["ana"])

    assert client.get(f"/speaker/materials/{anas.id}/file").status_code == 200
    assert client.get(f"/speaker/materials/{bens.id}/file").status_code == 404
    assert client.get(f"/speaker/materials/{bens.id}/").status_code == 404


def test_a_file_whose_bytes_are_gone_answers_404(client, world):
    material = make_material(world["past"], world["panel"], by=world["organiser"])
    storage.discard(material.stored_name)

    assert client.get(public_url(world, material)).status_code == 404


# --- the download's headers ---------------------------------------------------------------------------


def test_a_download_is_an_attachment_of_its_checked_type_never_sniffed(client, world):
    material = make_material(world["past"], world["panel"], by=world["ana"], name="../Présentation finale.pdf")

    response = client.get(public_url(world, material))

    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Presentation finale.pdf\"; filename*=UTF-8''Pr%C3%A9sentation%20finale.pdf"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("kind", list(samples.SAMPLES))
def test_each_kind_is_served_with_its_own_content_type(client, world, kind):
    make, name = samples.SAMPLES[kind]
    data = make()  # once: a ZIP holds the time it was written
    material = make_material(world["past"], world["panel"], by=world["organiser"], data=data, name=name)

    response = client.get(public_url(world, material))

    assert response.headers["Content-Type"] == checks.CONTENT_TYPES[material.kind]
    assert response.data == data


def test_the_stored_name_is_generated_never_the_uploaders(app, world):
    material = make_material(world["past"], world["panel"], by=world["organiser"], name="../../evil.pdf")

    assert "evil" not in material.stored_name
    assert os.listdir(app.config["MATERIALS_DIR"]).count(material.stored_name) == 1
    assert len(material.stored_name) == len("0" * 32 + ".pdf")


# --- organisers upload, replace, delete ---------------------------------------------------------------


def upload(client, url: str, data: bytes, name: str, **fields):
    form = {"visibility": "public", **fields, "file": (io.BytesIO(data), name)}
    return client.post(url, data=form, content_type="multipart/form-data")


def materials_in_db() -> int:
    return db.session.scalar(select(func.count()).select_from(Material))


def files_on_disk(app) -> list[str]:
    folder = app.config["MATERIALS_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_an_organiser_uploads_a_file_for_an_item_and_the_log_says_so(app, client, world, sign_in):
    sign_in(world["organiser"])
    before = files_on_disk(app)

    response = upload(client, f"/organiser/items/{world['panel'].id}/materials/", samples.pdf(), "deck.pdf")

    material = db.session.scalars(select(Material)).one()
    assert response.status_code == 302
    assert response.location == f"/organiser/items/{world['panel'].id}/materials/"
    assert (material.item_id, material.session_id, material.visibility) == (
        world["panel"].id,
        world["past"].id,
        MaterialVisibility.PUBLIC,
    )
    assert material.uploaded_by_organiser_id == world["organiser"].id
    assert files_on_disk(app) == sorted([*before, material.stored_name])
    entry = db.session.scalars(select(ActivityEntry).where(ActivityEntry.action == "material.added")).one()
    assert entry.target_type == "material" and entry.target_id == material.id
    assert "“deck.pdf” (pdf" in entry.summary and "item “Looking Ahead”" in entry.summary
    page = _text(client.get(f"/organiser/items/{world['panel'].id}/materials/"))
    assert "deck.pdf" in page and "Public, once the session is over" in page


def test_an_organiser_uploads_a_file_for_the_session_itself(client, world, sign_in):
    sign_in(world["organiser"])

    response = upload(
        client,
        f"/organiser/sessions/{world['future'].id}/materials/",
        samples.png(),
        "chart.png",
        visibility="organisers",
    )

    material = db.session.scalars(select(Material)).one()
    assert response.status_code == 302
    assert (material.item_id, material.session_id, material.kind.value) == (None, world["future"].id, "png")
    assert material.visibility == MaterialVisibility.ORGANISERS


def test_replacing_a_file_keeps_the_old_ones_name_size_and_checksum_in_the_log(app, client, world, sign_in):
    material = make_material(world["past"], world["panel"], by=world["organiser"], name="v1.pdf")
    old_stored, old_sha = material.stored_name, material.sha256
    sign_in(world["organiser"])

    response = upload(
        client, f"/organiser/materials/{material.id}/", samples.office("pptx"), "v2.pptx", visibility="registrants"
    )

    db.session.refresh(material)
    assert response.status_code == 302
    assert (material.file_name, material.kind.value, material.visibility) == (
        "v2.pptx",
        "pptx",
        MaterialVisibility.REGISTRANTS,
    )
    assert old_stored not in files_on_disk(app) and material.stored_name in files_on_disk(app)
    replaced = db.session.scalars(select(ActivityEntry).where(ActivityEntry.action == "material.replaced")).one()
    assert f"“v1.pdf” (pdf, {len(samples.pdf())} bytes, sha256 {old_sha[:16]})" in replaced.summary
    assert f"“v2.pptx” (pptx, {material.size_bytes} bytes, sha256 {material.sha256[:16]})" in replaced.summary
    changed = db.session.scalars(
        select(ActivityEntry).where(ActivityEntry.action == "material.visibility_changed")
    ).one()
    assert changed.summary.endswith("is now visible to registrants (was public).")


def test_changing_only_who_may_download_it_keeps_the_file(app, client, world, sign_in):
    material = make_material(world["past"], world["panel"], by=world["organiser"])
    sign_in(world["organiser"])

    response = client.post(
        f"/organiser/materials/{material.id}/",
        data={"visibility": "organisers", "file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
    )

    db.session.refresh(material)
    assert response.status_code == 302
    assert material.visibility == MaterialVisibility.ORGANISERS
    assert material.stored_name in files_on_disk(app)
    assert client.get(public_url(world, material)).status_code == 404


def test_deleting_a_file_removes_it_and_the_log_keeps_what_it_was(app, client, world, sign_in):
    material = make_material(world["past"], world["panel"], by=world["ana"], name="gone.pdf")
    stored, material_id, sha = material.stored_name, material.id, material.sha256
    sign_in(world["organiser"])

    response = client.post(f"/organiser/materials/{material_id}/delete")

    assert response.status_code == 302
    assert response.location == f"/organiser/items/{world['panel'].id}/materials/"
    assert materials_in_db() == 0
    assert stored not in files_on_disk(app)
    entry = db.session.scalars(select(ActivityEntry).where(ActivityEntry.action == "material.deleted")).one()
    assert entry.actor_label == "Alpha Organiser" or entry.actor_label == "alpha.organiser@example.org"
    assert (entry.target_type, entry.target_id) == ("material", material_id)
    assert f"“gone.pdf” (pdf, {len(samples.pdf())} bytes, sha256 {sha[:16]})" in entry.summary
    assert client.get(f"/events/{world['event'].slug}/materials/{material_id}").status_code == 404


def test_another_events_organiser_can_neither_upload_nor_delete(client, world, sign_in):
    material = make_material(world["past"], world["panel"], by=world["organiser"])
    sign_in(world["other_organiser"])

    uploaded = upload(client, f"/organiser/items/{world['panel'].id}/materials/", samples.pdf(), "x.pdf")
    deleted = client.post(f"/organiser/materials/{material.id}/delete")

    assert (uploaded.status_code, deleted.status_code) == (404, 404)
    assert materials_in_db() == 1


# --- speakers -----------------------------------------------------------------------------------------


def test_a_speaker_uploads_slides_for_their_slot_and_sees_them_on_the_slot_page(app, client, world):
    sign_in_as_speaker(client, world["ana"])
    slot = world["ana_slot"]

    response = upload(client, f"/speaker/slots/{slot.id}/materials", samples.pdf(), "my slides.pdf")

    material = db.session.scalars(select(Material)).one()
    assert response.status_code == 302
    assert (material.item_id, material.uploaded_by_person_id) == (world["panel"].id, world["ana"].id)
    slot_page = _text(client.get(f"/speaker/slots/{slot.id}/"))
    assert "my slides.pdf" in slot_page and f"/speaker/materials/{material.id}/file" in slot_page
    entry = db.session.scalars(select(ActivityEntry).where(ActivityEntry.action == "material.added")).one()
    assert (entry.actor_kind.value, entry.actor_label) == ("speaker", "Ms Ana Speaker")


def test_a_speaker_replaces_and_deletes_their_own_file(app, client, world):
    material = make_material(world["past"], world["panel"], by=world["ana"], name="old.pdf")
    old = material.stored_name
    sign_in_as_speaker(client, world["ana"])

    replaced = upload(client, f"/speaker/materials/{material.id}/", samples.png(), "new.png")
    db.session.refresh(material)
    name_after = material.file_name
    deleted = client.post(f"/speaker/materials/{material.id}/delete")

    assert replaced.status_code == 302 and name_after == "new.png"
    assert deleted.status_code == 302
    assert deleted.location == f"/speaker/slots/{world['ana_slot'].id}/materials"
    assert materials_in_db() == 0
    assert old not in files_on_disk(app)
    actions = db.session.scalars(select(ActivityEntry.action).order_by(ActivityEntry.id)).all()
    assert actions == ["material.added", "material.replaced", "material.deleted"]


def test_a_speaker_cannot_touch_an_organisers_file_of_their_own_item(client, world):
    material = make_material(world["past"], world["panel"], by=world["organiser"])
    sign_in_as_speaker(client, world["ana"])

    assert client.get(f"/speaker/materials/{material.id}/file").status_code == 404
    assert client.post(f"/speaker/materials/{material.id}/delete").status_code == 404
    assert materials_in_db() == 1


# --- bad files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (samples.exe(), "slides.pdf", "This file is not one of the kinds accepted"),
        (samples.plain_zip(), "paper.docx", "This file is not one of the kinds accepted"),
        (samples.text(), "chart.png", "This file is not one of the kinds accepted"),
        (b"", "slides.pdf", "The file is empty: choose the file again."),
    ],
    ids=["exe-as-pdf", "zip-as-docx", "text-as-png", "empty"],
)
def test_a_refused_file_says_why_next_to_the_field_and_saves_nothing(app, client, world, sign_in, data, name, message):
    sign_in(world["organiser"])
    before = files_on_disk(app)

    response = upload(client, f"/organiser/items/{world['panel'].id}/materials/", data, name)

    page = _text(response)
    assert response.status_code == 400
    assert "<title>Error:" in page
    assert 'id="file-error"' in page and message in page.split('id="file-error"', 1)[1]
    assert 'href="#file"' in page  # the error summary links to the field
    assert materials_in_db() == 0
    assert files_on_disk(app) == before
    assert db.session.scalar(select(func.count()).select_from(ActivityEntry)) == 0


def test_no_file_chosen_says_so(client, world, sign_in):
    sign_in(world["organiser"])

    response = client.post(
        f"/organiser/items/{world['panel'].id}/materials/",
        data={"visibility": "public"},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert "Choose a file to upload." in _text(response)
    assert materials_in_db() == 0


def test_a_file_over_the_setting_is_refused_next_to_the_field(app, client, world, sign_in, monkeypatch):
    monkeypatch.setitem(app.config, "MATERIALS_MAX_BYTES", 2048)
    sign_in(world["organiser"])

    response = upload(client, f"/organiser/items/{world['panel'].id}/materials/", samples.pdf() + b"\n" * 4096, "a.pdf")

    assert response.status_code == 400
    assert "The file is larger than 2 KiB, the most a material may be." in _text(response)
    assert materials_in_db() == 0


def test_a_request_far_over_the_setting_gets_a_readable_page_not_the_frameworks(
    app, client, world, sign_in, monkeypatch
):
    monkeypatch.setitem(app.config, "MATERIALS_MAX_BYTES", 2048)
    sign_in(world["organiser"])

    response = upload(client, f"/organiser/items/{world['panel'].id}/materials/", b"%PDF" + b"0" * 200_000, "a.pdf")

    page = _text(response)
    assert response.status_code == 413
    assert "The file is larger than 2 KiB, the most a material may be. Nothing was saved." in page
    assert materials_in_db() == 0


def test_an_upload_larger_than_other_forms_take_is_accepted_on_the_upload_pages(app, client, world, sign_in):
    sign_in(world["organiser"])
    big = samples.pdf() + b"\n" * (app.config["MAX_REQUEST_BYTES"] + 1)

    response = upload(client, f"/organiser/items/{world['panel'].id}/materials/", big, "big.pdf")

    assert response.status_code == 302
    assert db.session.scalars(select(Material)).one().size_bytes == len(big)


def test_an_unknown_visibility_is_refused(client, world, sign_in):
    sign_in(world["organiser"])

    response = upload(
        client, f"/organiser/items/{world['panel'].id}/materials/", samples.pdf(), "a.pdf", visibility="everyone"
    )

    assert response.status_code == 400
    assert "Choose one of the options." in _text(response)
    assert materials_in_db() == 0


# --- pages and caches ---------------------------------------------------------------------------------


def test_the_event_page_lists_files_in_a_fixed_number_of_queries(client, world, count_queries):
    make_material(world["past"], world["panel"], by=world["organiser"])
    with count_queries() as one:
        client.get(f"/events/{world['event'].slug}/?tz=UTC")
    for n in range(5):
        make_material(world["past"], world["other_item"], by=world["organiser"], name=f"more-{n}.pdf")
    with count_queries() as six:
        page = _text(client.get(f"/events/{world['event'].slug}/?tz=UTC"))

    assert "more-4.pdf" in page
    assert len(six) == len(one)


def test_a_kept_public_page_shows_a_new_file_at_once(client, world):
    url = f"/events/{world['event'].slug}/sessions/{world['past'].id}/"
    assert "late.pdf" not in _text(client.get(url))

    make_material(world["past"], world["panel"], by=world["organiser"], name="late.pdf")

    assert "late.pdf" in _text(client.get(url))


def test_deleting_an_item_or_a_session_says_so_and_removes_their_files_from_the_folder(app, client, world, sign_in):
    kept = make_material(world["past"], world["panel"], by=world["ana"], name="kept.pdf").stored_name
    item_file = make_material(world["past"], world["other_item"], by=world["ben"], name="typology.pdf").stored_name
    spare = make_session(world["event"], title="Spare session")
    spare_item = make_item(spare, title="Spare talk")
    spare_files = [
        make_material(spare, by=world["organiser"], name="agenda.pdf").stored_name,
        make_material(spare, spare_item, by=world["organiser"], name="talk.pdf").stored_name,
    ]
    spare_id = spare.id
    sign_in(world["organiser"])

    item_page = client.get(f"/organiser/items/{world['other_item'].id}/delete").text
    session_page = client.get(f"/organiser/sessions/{spare_id}/delete").text
    client.post(f"/organiser/items/{world['other_item'].id}/delete")
    client.post(f"/organiser/sessions/{spare_id}/delete")

    assert "Its 1 file (slides, documents) is deleted with it." in item_page
    assert "Its 2 files (slides, documents) are deleted with it." in session_page
    assert kept in files_on_disk(app)
    assert item_file not in files_on_disk(app) and not set(spare_files) & set(files_on_disk(app))
    assert materials_in_db() == 1


def test_deleting_a_draft_event_removes_its_files_from_the_folder(app, client, world, sign_in):
    from app.models import EventStatus

    draft = make_event(title="Draft to delete", status=EventStatus.DRAFT)
    session = make_session(draft, title="Only session")
    stored = make_material(session, by=world["organiser"], name="draft.pdf").stored_name
    draft_id = draft.id
    organiser = make_organiser("drafter@example.org", events=[draft])
    sign_in(organiser)

    page = client.get(f"/organiser/events/{draft_id}/delete").text
    client.post(f"/organiser/events/{draft_id}/delete")

    assert "Its 1 file (slides, documents) is deleted with it." in page
    assert stored not in files_on_disk(app)
    assert materials_in_db() == 0
