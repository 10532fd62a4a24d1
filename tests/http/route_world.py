"""Real rows for the route-walking tests (the access matrix, the generated input), and what they share:
URL parameters filled by name, real sign-in through the pages, and a dump of every table.

Two organisers, Alpha and Beta, each manage a published event of the same shape (an in-person session with
a panel and the item after it, an online session open for registration with one confirmed registrant, a
speaker in the panel and in the online session, a second person, a failed outbox message, a speaker's
sign-in links and feed address). Alpha also has a person placed nowhere yet and a draft event with a
session, an item and a person of its own. Alpha's private words (`Side.private`) must never show to Beta.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.materials import checks, storage
from app.models import (
    AgendaItem,
    Appearance,
    AttendeeGroup,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Material,
    MaterialVisibility,
    Organiser,
    OutboxMessage,
    OutboxStatus,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    Speaker,
    SpeakerLoginToken,
    Typology,
    event_rapporteurs,
)
from app.security import hash_token
from tests.factories import DAY, at
from tests.http.conftest import PASSWORD
from tests.material_samples import pdf

#: The organisers sign in through the form with the usual test password, hashed cheaply: the default scrypt
#: costs a tenth of a second per sign-in, and every route's test signs two organisers in.
CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

#: URL parameters that are not row ids, filled the same for everyone (a rule may override them).
FIXED_PARAMS = {
    "status": EventStatus.CANCELLED.value,
    "direction": "down",
    "action": "cancel",
    "filename": "site.css",
}


@dataclass
class Side:
    """One organiser's rows. URL parameters are filled from the attributes of the same name."""

    name: str
    organiser_email: str
    event_id: int
    slug: str
    #: The in-person session (09:00-13:00 in Brussels) and its panel (11:00-11:30, the closing item after it,
    #: so that it can move down); the online session is 09:00-10:30, so nobody is booked twice.
    morning_session_id: int
    item_id: int
    #: The online session open for registration (the one URL parameters name `session_id`).
    session_id: int
    appearance_id: int
    #: The speaker in the panel and in the online session's item.
    person_id: int
    speaker_email: str
    #: A second person (in the item after the panel), who can be added to the panel.
    other_person_id: int
    registration_id: int
    registration_token: str
    message_id: int
    #: Single-use sign-in links of the speaker: one the tests sign in with, one for the token rules.
    speaker_sign_in_token: str
    speaker_link_token: str
    feed_token: str
    #: A public file the speaker uploaded for their talk in a session long over (`past_session_id`, in the
    #: organiser's earlier event `past_slug`), and a confirmed registrant of that session (who may download it
    #: through their link).
    material_id: int
    past_slug: str
    past_session_id: int
    past_item_id: int
    past_registration_token: str
    #: Words only this organiser, their speaker and their registrant may read.
    private: list[str] = field(default_factory=list)
    # Alpha only: a person not yet placed in any item, and a draft event with a session, item and person.
    unplaced_person_id: int | None = None
    #: A category of the event's typologies (its matrix is published), with no item placed in it yet.
    typology_id: int | None = None
    #: An account named rapporteur of the event (it writes the event's notes).
    rapporteur_id: int | None = None
    #: The speaker row of `speaker_email` (what a speaker's session holds).
    speaker_id: int | None = None
    draft_event_id: int | None = None
    draft_slug: str | None = None
    draft_session_id: int | None = None
    draft_item_id: int | None = None
    draft_person_id: int | None = None
    draft_material_id: int | None = None

    def value(self, name: str):
        """The value of the URL parameter `name` for this side's rows."""
        if name in FIXED_PARAMS:
            return FIXED_PARAMS[name]
        return getattr(self, name)


@dataclass
class World:
    alpha: Side
    beta: Side


def _add(obj):
    db.session.add(obj)
    return obj


def _event(slug: str, title: str, status: EventStatus = EventStatus.PUBLISHED) -> Event:
    return _add(
        Event(
            slug=slug,
            title=title,
            venue="Brussels",
            timezone="Europe/Brussels",
            starts_on=DAY,
            ends_on=DAY,
            status=status,
            contact_name="MPF Team",
            contact_email="mpf@example.org",
        )
    )


def _item(session: EventSession, title: str, starts_at: datetime, ends_at: datetime) -> AgendaItem:
    return _add(
        AgendaItem(session=session, title=title, kind=ItemKind.PRESENTATION, starts_at=starts_at, ends_at=ends_at)
    )


def _person(event: Event, name: str, email: str) -> Person:
    return _add(
        Person(event=event, honorific="Ms", name=name, position="Project Manager", organisation="ICMPD", email=email)
    )


def _appearance(item: AgendaItem, person: Person, position: int = 0) -> Appearance:
    return _add(Appearance(item=item, person=person, role=Role.PANELLIST, position=position))


#: The day of the sessions that are over (their materials may be offered).
PAST_DAY = DAY.replace(year=2025)


def _material(event: Event, session: EventSession, item: AgendaItem, person: Person | None, name: str) -> Material:
    """A public PDF of the item, its bytes written to the materials folder as an upload would be."""
    data = pdf(name)
    checked = checks.check_file(io.BytesIO(data), name, max_bytes=len(data))
    return _add(
        Material(
            event=event,
            session=session,
            item=item,
            visibility=MaterialVisibility.PUBLIC,
            kind=checked.kind,
            file_name=checked.file_name,
            stored_name=storage.write(io.BytesIO(data), checked.kind),
            size_bytes=checked.size_bytes,
            sha256=checked.sha256,
            uploaded_by_person=person,
        )
    )


def _build_side(name: str, *, extras: bool = False) -> Side:
    """One side's rows in the current transaction (one commit for the whole world: it is made for every test)."""
    title = name.capitalize()
    event = _event(f"{name}-event", f"{title} Exchange Event")
    event.typologies_published = True
    typology = _add(Typology(event=event, name=f"{title} Operational Partnerships", description="Side by side."))
    organiser = _add(
        Organiser(email=f"{name}.organiser@example.org", name=f"{title} Organiser", password_hash=CHEAP_HASH)
    )
    organiser.events.append(event)
    rapporteur = _add(
        Organiser(email=f"{name}.rapporteur@example.org", name=f"{title} Rapporteur", password_hash=CHEAP_HASH)
    )
    morning = _add(EventSession(event=event, title=f"{title} morning", starts_at=at(8), ends_at=at(12)))
    panel = _item(morning, f"{title} panel", at(10), at(10, 30))
    after = _item(morning, f"{title} closing", at(10, 30), at(11))
    join_url = f"https://meet.example.org/{name}-private-room"
    online = _add(
        EventSession(
            event=event,
            title=f"{title} online follow-up",
            starts_at=at(8),
            ends_at=at(9, 30),
            is_online=True,
            join_url=join_url,
            registration_enabled=True,
            capacity=10,
            seats_taken=1,
            waitlist_enabled=True,
            registration_opens_at=None,
            registration_closes_at=at(8),
        )
    )
    online_item = _item(online, f"{title} questions", online.starts_at, online.ends_at)
    speaker_email = f"{name}.speaker@example.org"
    speaker = _person(event, f"{title} Speaker", speaker_email)
    speaker_row = _add(
        Speaker(email=speaker_email, feed_token_hash=hash_token(feed_token := f"{name}-feed-token-for-the-route-tests"))
    )
    appearance = _appearance(panel, speaker)
    _appearance(online_item, speaker)
    other = _person(event, f"{title} Colleague", f"{name}.colleague@example.org")
    _appearance(after, other)
    registrant_email = f"{name}.registrant@example.com"
    registration_token = f"{name}-manage-token-for-the-route-tests"
    registration = _add(
        Registration(
            session=online,
            full_name=f"{title} Registrant",
            email=registrant_email,
            email_normalised=registrant_email,
            organisation="Ministry of Interior",
            group=AttendeeGroup.PARTNER_COUNTRY,
            question=f"{title} registrant's private question",
            accessibility_needs=f"{title} registrant's accessibility needs",
            consent_version="2026-11",
            status=RegistrationStatus.CONFIRMED,
            manage_token_hash=hash_token(registration_token),
        )
    )
    # An earlier event of the same organiser, long over, in which the same speaker gave a talk and left slides.
    past_event = _event(f"{name}-past", f"{title} Earlier Meeting")
    past_event.starts_on = past_event.ends_on = PAST_DAY
    organiser.events.append(past_event)
    earlier = _add(
        EventSession(
            event=past_event,
            title=f"{title} earlier session",
            starts_at=at(8, day=PAST_DAY),
            ends_at=at(12, day=PAST_DAY),
            registration_enabled=True,
            seats_taken=1,
        )
    )
    earlier_talk = _item(earlier, f"{title} earlier talk", at(9, day=PAST_DAY), at(10, day=PAST_DAY))
    earlier_speaker = _person(past_event, f"{title} Speaker", speaker_email)
    _appearance(earlier_talk, earlier_speaker)
    material = _material(past_event, earlier, earlier_talk, earlier_speaker, f"{title} earlier slides.pdf")
    past_registration_token = f"{name}-past-manage-token-for-the-route-tests"
    _add(
        Registration(
            session=earlier,
            full_name=f"{title} Past Registrant",
            email=f"{name}.past@example.com",
            email_normalised=f"{name}.past@example.com",
            organisation="Ministry of Interior",
            group=AttendeeGroup.PARTNER_COUNTRY,
            consent_version="2026-11",
            status=RegistrationStatus.CONFIRMED,
            manage_token_hash=hash_token(past_registration_token),
        )
    )
    sign_in_token = f"{name}-sign-in-link-token-for-the-route-tests"
    link_token = f"{name}-second-link-token-for-the-route-tests"
    expires = datetime.now(UTC) + timedelta(hours=2)
    for token in (sign_in_token, link_token):
        _add(SpeakerLoginToken(speaker=speaker_row, token_hash=hash_token(token), expires_at=expires))
    db.session.flush()
    message = _add(
        OutboxMessage(
            kind="confirmation",
            to_address=registrant_email,
            to_name=registration.full_name,
            subject=f"{title} confirmation",
            body_text="You are registered.",
            status=OutboxStatus.FAILED,
            attempts=12,
            last_error="550 no such user",
            event_id=event.id,
            session_id=online.id,
            registration_id=registration.id,
        )
    )
    db.session.flush()
    db.session.execute(event_rapporteurs.insert().values(event_id=event.id, organiser_id=rapporteur.id))
    side = Side(
        name=name,
        organiser_email=organiser.email,
        event_id=event.id,
        slug=event.slug,
        morning_session_id=morning.id,
        item_id=panel.id,
        session_id=online.id,
        appearance_id=appearance.id,
        person_id=speaker.id,
        speaker_id=speaker_row.id,
        speaker_email=speaker_email,
        other_person_id=other.id,
        registration_id=registration.id,
        registration_token=registration_token,
        message_id=message.id,
        speaker_sign_in_token=sign_in_token,
        speaker_link_token=link_token,
        feed_token=feed_token,
        material_id=material.id,
        past_slug=past_event.slug,
        past_session_id=earlier.id,
        past_item_id=earlier_talk.id,
        past_registration_token=past_registration_token,
        typology_id=typology.id,
        rapporteur_id=rapporteur.id,
        private=[
            speaker_email,
            join_url,
            registration.full_name,
            registrant_email,
            registration.question,
            registration.accessibility_needs,
        ],
    )
    if extras:
        unplaced = _person(event, f"{title} Unplaced Person", f"{name}.unplaced@example.org")
        draft = _event(f"{name}-draft", f"{title} Draft Meeting", EventStatus.DRAFT)
        organiser.events.append(draft)
        draft_session = _add(EventSession(event=draft, title=f"{title} draft session", starts_at=at(8), ends_at=at(12)))
        draft_item = _item(draft_session, f"{title} draft item", at(8), at(9))
        draft_person = _person(draft, f"{title} Draft Person", f"{name}.draft@example.org")
        _appearance(draft_item, draft_person)
        draft_material = _material(draft, draft_session, draft_item, draft_person, f"{title} draft slides.pdf")
        db.session.flush()
        side.draft_material_id = draft_material.id
        side.unplaced_person_id, side.draft_person_id = unplaced.id, draft_person.id
        side.draft_event_id, side.draft_slug = draft.id, draft.slug
        side.draft_session_id, side.draft_item_id = draft_session.id, draft_item.id
        side.private += [unplaced.name, draft.title, draft_person.name, draft_item.title]
    return side


def build_world() -> World:
    """Alpha's and Beta's rows, committed; the app's session is then closed, so that no open transaction
    holds SQLite's lock while the test client's requests run."""
    world = World(alpha=_build_side("alpha", extras=True), beta=_build_side("beta"))
    db.session.commit()
    db.session.remove()
    return world


def dump_tables() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: two dumps are equal when nothing changed."""
    rows = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(row) for row in conn.execute(sa.select(table).order_by(*order))]
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def url_for_rule(rule, values: dict) -> str:
    """The path of one URL rule with `values` for its parameters (extra values are not appended)."""
    built = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule} from {values}"
    return built[1]


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(client: FlaskClient, path: str) -> str:
    """The CSRF token of the client's session, read from a form on `path` as a browser would."""
    response = client.get(path)
    found = CSRF_FIELD.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {path} ({response.status_code})"
    return found.group(1)


def organiser_client(app: Flask, email: str) -> FlaskClient:
    """A client signed in through the sign-in form, as a browser would be."""
    client = app.test_client()
    token = csrf_token_from(client, "/organiser/sign-in")
    response = client.post("/organiser/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.location == "/organiser/", f"{email} could not sign in"
    return client


def speaker_client(app: Flask, sign_in_token: str) -> FlaskClient:
    """A client signed in as a speaker with their emailed link, as a browser would be."""
    client = app.test_client()
    path = f"/speaker/sign-in/{sign_in_token}"
    response = client.post(path, data={"csrf_token": csrf_token_from(client, path)})
    assert response.status_code == 302 and response.location == "/speaker/", "the speaker could not sign in"
    return client


#: The first day of the test events (the factories' fixed day), for form data.
EVENT_DAY = DAY.isoformat()
