"""The rules of materials, without HTTP: when a session counts as over, who sees which file, who owns a speaker's
upload, and what the activity log records."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.materials import checks, services, storage
from app.materials.services import ItemNotInSession
from app.models import ActivityEntry, MaterialVisibility, RegistrationStatus
from app.transaction import use_case
from tests import material_samples as samples
from tests.factories import at, make_event, make_item, make_person, make_registration, make_session, make_speaker

PAST = date(2025, 10, 30)


@pytest.fixture
def past(app_context):
    event = make_event()
    session = make_session(event, starts_at=at(8, day=PAST), ends_at=at(12, day=PAST))
    item = make_item(session, starts_at=at(9, day=PAST), ends_at=at(10, day=PAST))
    return event, session, item


def _add(session, item, *, by, visibility="public", now=None):
    data = samples.pdf()
    checked = checks.check_file(io.BytesIO(data), "slides.pdf", max_bytes=len(data))
    with use_case():
        material = services.add_material(
            session,
            item=item,
            checked=checked,
            stored_name=storage.write(io.BytesIO(data), checked.kind),
            visibility=visibility,
            by=by,
            now=now or at(13, day=PAST),
        )
    return material


def test_a_session_is_over_from_its_end_on(past):
    _event, session, _item = past

    assert services.is_over(session, now=session.ends_at - timedelta(seconds=1)) is False
    assert services.is_over(session, now=session.ends_at) is True


def test_a_public_file_is_public_only_from_the_end_of_its_session(past):
    event, session, item = past
    material = _add(session, item, by=make_person(event))

    assert services.is_public(material, now=session.ends_at - timedelta(minutes=1)) is False
    assert services.is_public(material, now=session.ends_at) is True


def test_a_registrants_file_is_for_confirmed_registrants_of_its_own_session(past):
    event, session, item = past
    material = _add(session, None, by=make_person(event), visibility="registrants")
    confirmed = make_registration(session)
    cancelled = make_registration(session, status=RegistrationStatus.CANCELLED)
    elsewhere = make_registration(make_session(event, starts_at=at(8, day=PAST), ends_at=at(9, day=PAST)))
    after = session.ends_at

    assert services.is_public(material, now=after) is False
    assert services.is_for_registrant(material, confirmed, now=after) is True
    assert services.is_for_registrant(material, confirmed, now=after - timedelta(seconds=1)) is False
    assert services.is_for_registrant(material, cancelled, now=after) is False
    assert services.is_for_registrant(material, elsewhere, now=after) is False


def test_an_organisers_file_is_for_nobody_outside(past):
    event, session, item = past
    material = _add(session, item, by=make_person(event), visibility="organisers")

    assert services.is_public(material, now=session.ends_at) is False
    assert services.is_for_registrant(material, make_registration(session), now=session.ends_at) is False


def test_a_speakers_upload_is_theirs_by_their_address_and_nobody_elses(past):
    event, session, item = past
    ana = make_person(event, email="ana@example.org")
    material = _add(session, item, by=ana)
    # Another speaker's upload, in another event, is not hers.
    other_event = make_event()
    other_session = make_session(other_event, starts_at=at(8, day=PAST), ends_at=at(12, day=PAST))
    other = _add(other_session, None, by=make_person(other_event, email="ben@example.org"))

    ana_speaker, ben_speaker = make_speaker("ana@example.org"), make_speaker("ben@example.org")

    assert services.is_speakers_own(material, ana_speaker) is True
    assert services.is_speakers_own(material, ben_speaker) is False
    assert services.is_speakers_own(other, ana_speaker) is False


def test_an_item_of_another_session_is_refused(past):
    event, session, _item = past
    elsewhere = make_item(make_session(event))

    with pytest.raises(ItemNotInSession):
        _add(session, elsewhere, by=make_person(event))
    assert db.session.scalars(select(ActivityEntry)).all() == []


def test_setting_the_same_visibility_changes_and_records_nothing(past):
    event, session, item = past
    material = _add(session, item, by=make_person(event))

    with use_case():
        changed = services.change_visibility(material, MaterialVisibility.PUBLIC, by=make_person(event), now=at(14))

    assert changed is False
    assert db.session.scalars(select(ActivityEntry.action)).all() == ["material.added"]


def test_the_public_list_holds_only_public_files_of_sessions_that_are_over(past):
    event, session, item = past
    person = make_person(event)
    public_item = _add(session, item, by=person)
    public_session = _add(session, None, by=person)
    _add(session, item, by=person, visibility="registrants")
    future = make_session(event)
    _add(future, None, by=person)

    listed = services.public_materials(event, now=session.ends_at)

    assert listed == {("item", item.id): [public_item], ("session", session.id): [public_session]}


def test_a_registrant_sees_nothing_before_the_end_nor_once_cancelled(past):
    event, session, item = past
    person = make_person(event)
    public, theirs = _add(session, item, by=person), _add(session, None, by=person, visibility="registrants")
    _add(session, None, by=person, visibility="organisers")
    registration = make_registration(session)

    assert services.registrant_materials(registration, now=session.ends_at) == [public, theirs]
    assert services.registrant_materials(registration, now=session.ends_at - timedelta(seconds=1)) == []
    registration.status = RegistrationStatus.CANCELLED
    assert services.registrant_materials(registration, now=session.ends_at) == []
