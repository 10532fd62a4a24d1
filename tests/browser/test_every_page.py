"""Every page, in each of its states, at 320 and 1280 px: nothing scrolls sideways (WCAG 1.4.10) and axe-core
finds no violation, with text that does not break by itself in the data.

The world is the access matrix's (tests/http/route_world.py), built once for the module, with Alpha's rows
given the longest text their columns hold: a 200-character unbroken name (the names' limit; 300 where the
column allows it: item titles, positions, organisations), an email address of 254 characters, a pasted
2,000-character URL as a question. Besides the usual state it has an empty event (no session, person, message
or activity), an empty session (no registration), a cancelled session with a registrant, a cancelled event, a
timeline warning (two items overlapping in Alpha's morning) and forms sent empty or wrong (their errors).

`CASES` names every HTML page reached by GET; `test_every_get_route_is_swept` walks `app.url_map`, so a new
route fails until it has a case here or a reason in `NOT_PAGES`. One browser page per visitor (anonymous, the
organiser, the speaker) is reused for the whole module, and each case is looked at in both widths.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import (
    ActivityEntry,
    AgendaItem,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Material,
    Note,
    NoteRevision,
    Organiser,
    OutboxMessage,
    OutboxStatus,
    PasswordResetToken,
    Person,
    QuestionKind,
    Registration,
    RegistrationStatus,
    SessionStatus,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
)
from app.models.activity import ActorKind
from app.security import hash_token
from tests.browser.conftest import AXE_SOURCE
from tests.conftest import delete_all_rows
from tests.factories import DAY, at
from tests.http.route_world import PASSWORD, Side, World, build_world, url_for_rule

pytestmark = pytest.mark.browser

WIDTHS = (320, 1280)


def unbroken(length: int, stem: str = "Longname") -> str:
    """`length` characters without a space or a hyphen: the worst a layout meets."""
    return (stem * (length // len(stem) + 1))[:length]


NAME = unbroken(200, "Wolfeschlegelsteinhausen")
LONG_TITLE = unbroken(300, "Partnershipapproaches")
LONG_EMAIL = unbroken(64, "registrant") + "@" + unbroken(177, "ministryofinterior") + ".example.org"
LONG_URL = "https://example.org/" + unbroken(1980, "slides")
QUESTION = unbroken(2000, "Whatisthecallforproposalstimeline")
RECORDING_URL = "https://example.org/" + unbroken(480, "recording")

#: GET routes that are not HTML pages, and why the sweep leaves them out.
NOT_PAGES = {
    "static": "files: stylesheets and scripts",
    "bootstrap.static": "files: Bootstrap's own CSS and JS",
    "calendar.agenda_ics": "an iCalendar feed",
    "calendar.session_ics": "an iCalendar file",
    "calendar.item_ics": "an iCalendar file",
    "speakers.feed": "an iCalendar feed",
    "speakers.slot_invite": "an iCalendar file",
    "organiser.registrations_export": "a CSV file",
    "organiser.survey_export": "a CSV file",
    "organiser.report_docx": "a Word document (the report; its HTML page is swept)",
    "organiser.report_pdf": "a PDF (the report; its HTML page is swept)",
    "organiser.registration_data": "a JSON download",
    "privacy.download": "a JSON download",
    "agenda.healthz": "JSON for load balancers",
    "web.readyz": "JSON for load balancers",
    "i18n.choose": "a redirect that sets the language cookie",
    "agenda.material": "a file download",
    "registration.material": "a file download",
    "organiser.material_file": "a file download",
    "speakers.material_file": "a file download",
}

ANONYMOUS, ORGANISER, SPEAKER = "anonymous", "organiser", "speaker"


@dataclass
class Extra:
    """Rows the sweep adds to Alpha's side of the route world, for the states the matrix does not have."""

    empty_event_id: int
    empty_session_id: int
    cancelled_event_id: int
    cancelled_slug: str
    cancelled_session_id: int
    cancelled_registration_token: str
    reset_token: str
    #: A session that ended yesterday, with an attendee who answered its survey and a no-show.
    ended_session_id: int
    ended_attendee_token: str


@dataclass(frozen=True)
class Case:
    endpoint: str
    who: str = ANONYMOUS
    #: URL parameters from Alpha's side and the extra rows (by default Alpha's side's attributes).
    params: Callable[[Side, Extra], dict] = lambda a, x: {}
    #: Form fields to set (by name) before sending the page's form, to see the page it answers with.
    send: dict | None = None
    #: Text the page must show (its state is the one the case means).
    shows: str | None = None
    extra_checks: tuple = field(default=())


def _empty_event(a, x):
    return {"event_id": x.empty_event_id}


def _cancelled_event(a, x):
    return {"event_id": x.cancelled_event_id}


def _ended_session(a, x):
    return {"session_id": x.ended_session_id}


def _cancelled_session(a, x):
    return {"session_id": x.cancelled_session_id, "slug": x.cancelled_slug}


EVENT_ERRORS = {"title": "", "contact_email": "not an address", "slug": "Not a slug!"}

CASES: dict[str, Case] = {
    # --- public
    "index": Case("agenda.index"),
    "event": Case("agenda.event", shows=NAME[:40]),
    "event-cancelled": Case("agenda.event", params=lambda a, x: {"slug": "alpha-cancelled"}),
    "session": Case("agenda.session_page"),
    "session-cancelled": Case("agenda.session_page", params=_cancelled_session),
    "event-past-with-files": Case("agenda.event", params=lambda a, x: {"slug": a.past_slug}, shows="Slides and"),
    "session-past-with-files": Case(
        "agenda.session_page",
        params=lambda a, x: {"slug": a.past_slug, "session_id": a.past_session_id},
        shows="Slides and",
    ),
    "speakers": Case("agenda.speakers"),
    "speaker": Case("agenda.speaker"),
    "privacy-notice": Case("privacy.notice"),
    "register": Case("registration.new"),
    "register-errors": Case("registration.new", send={"full_name": "", "email": "not an address"}),
    # --- attendees, by their private link
    "confirmation": Case("registration.confirmation", params=lambda a, x: {"token": a.registration_token}),
    "manage": Case("registration.manage", params=lambda a, x: {"token": a.registration_token}, shows="Recordings"),
    "manage-errors": Case(
        "registration.manage", params=lambda a, x: {"token": a.registration_token}, send={"full_name": ""}
    ),
    "manage-with-files": Case(
        "registration.manage", params=lambda a, x: {"token": a.past_registration_token}, shows="Slides and documents"
    ),
    "manage-cancelled-session": Case(
        "registration.manage", params=lambda a, x: {"token": x.cancelled_registration_token}
    ),
    "erase": Case("privacy.erase", params=lambda a, x: {"token": a.registration_token}),
    # --- organisers: signing in, their account
    "organiser-sign-in": Case("organiser.sign_in"),
    "organiser-sign-in-errors": Case("organiser.sign_in", send={"email": "not an address", "password": ""}),
    "reset-request": Case("organiser.reset_request"),
    "reset-request-errors": Case("organiser.reset_request", send={"email": "not an address"}),
    "reset-password": Case("organiser.reset_password", params=lambda a, x: {"token": x.reset_token}),
    "reset-password-errors": Case(
        "organiser.reset_password", params=lambda a, x: {"token": x.reset_token}, send={"password": "short"}
    ),
    "reset-password-wrong-link": Case("organiser.reset_password", params=lambda a, x: {"token": "not-a-token"}),
    "your-events": Case("organiser.index", ORGANISER),
    "change-password": Case("organiser.change_password", ORGANISER),
    "change-password-errors": Case(
        "organiser.change_password", ORGANISER, send={"current_password": "wrong", "new_password": "short"}
    ),
    "event-new": Case("organiser.event_new", ORGANISER),
    "event-new-errors": Case("organiser.event_new", ORGANISER, send=EVENT_ERRORS),
    # --- organisers: one event
    "event-detail-warned": Case("organiser.event_detail", ORGANISER, shows="overlap"),
    "event-detail-empty": Case("organiser.event_detail", ORGANISER, params=_empty_event),
    "event-detail-cancelled": Case("organiser.event_detail", ORGANISER, params=_cancelled_event),
    "event-edit": Case("organiser.event_edit", ORGANISER),
    "event-edit-errors": Case("organiser.event_edit", ORGANISER, send=EVENT_ERRORS),
    "dashboard": Case("organiser.dashboard", ORGANISER),
    "dashboard-empty": Case("organiser.dashboard", ORGANISER, params=_empty_event),
    "activity": Case("organiser.activity_log", ORGANISER),
    "activity-empty": Case("organiser.activity_log", ORGANISER, params=_empty_event),
    "outbox": Case("organiser.outbox", ORGANISER),
    "outbox-empty": Case("organiser.outbox", ORGANISER, params=_empty_event),
    "outbox-message": Case("organiser.outbox_message", ORGANISER),
    "people": Case("organiser.people", ORGANISER),
    "people-empty": Case("organiser.people", ORGANISER, params=_empty_event),
    "person-new": Case("organiser.person_new", ORGANISER),
    "person-new-errors": Case("organiser.person_new", ORGANISER, send={"name": "", "email": "not an address"}),
    "person-edit": Case("organiser.person_edit", ORGANISER),
    "session-new": Case("organiser.session_new", ORGANISER),
    "session-new-errors": Case("organiser.session_new", ORGANISER, send={"title": "", "starts": "", "ends": ""}),
    "session-edit": Case("organiser.session_edit", ORGANISER),
    "session-edit-errors": Case("organiser.session_edit", ORGANISER, send={"title": "", "capacity": "-3"}),
    "session-cancel": Case("organiser.session_cancel", ORGANISER),
    "session-message": Case("organiser.session_message", ORGANISER),
    "session-message-errors": Case("organiser.session_message", ORGANISER, send={"subject": "", "body": ""}),
    "registrations": Case("organiser.registrations_list", ORGANISER, shows=NAME[:40]),
    "registrations-capacity-errors": Case(
        "organiser.registrations_list", ORGANISER, send={"capacity": "-3"}, shows="The capacity must be a whole number"
    ),
    "registrations-empty": Case(
        "organiser.registrations_list", ORGANISER, params=lambda a, x: {"session_id": x.empty_session_id}
    ),
    "registrations-cancelled-session": Case(
        "organiser.registrations_list", ORGANISER, params=lambda a, x: {"session_id": x.cancelled_session_id}
    ),
    "registration-erase": Case("organiser.registration_erase", ORGANISER),
    # --- after the session
    "follow-up-too-early": Case("organiser.follow_up", ORGANISER, shows="once the session has ended"),
    "follow-up": Case("organiser.follow_up", ORGANISER, params=_ended_session, shows="Send the follow-up"),
    "survey-edit": Case("organiser.survey_edit", ORGANISER, params=_ended_session, shows="people have answered"),
    "survey-edit-errors": Case(
        "organiser.survey_edit", ORGANISER, send={"rating_prompt": "", "closes_at": "soon"}, shows="field is required"
    ),
    "survey-results": Case("organiser.survey_results", ORGANISER, params=_ended_session, shows=QUESTION[:40]),
    "survey-results-empty": Case("organiser.survey_results", ORGANISER),
    "survey-answer": Case("survey.answer", params=lambda a, x: {"token": x.ended_attendee_token}, shows="You answered"),
    "survey-answer-errors": Case(
        "survey.answer", params=lambda a, x: {"token": x.ended_attendee_token}, send={"q1": QUESTION + QUESTION}
    ),
    "survey-answer-not-yet": Case("survey.answer", params=lambda a, x: {"token": a.registration_token}),
    "item-new": Case("organiser.item_new", ORGANISER),
    "item-new-errors": Case("organiser.item_new", ORGANISER, send={"title": "", "starts": "", "ends": ""}),
    # The panel's time again: the form answers with the overlap and the "save anyway" step.
    "item-new-warned": Case(
        "organiser.item_new",
        ORGANISER,
        params=lambda a, x: {"session_id": a.morning_session_id},
        send={"title": LONG_TITLE, "starts": "11:00", "ends": "11:30"},
        shows="anyway",
    ),
    "item-files": Case("organiser.item_materials", ORGANISER, params=lambda a, x: {"item_id": a.past_item_id}),
    "item-files-empty": Case("organiser.item_materials", ORGANISER),
    "item-files-errors": Case(
        "organiser.item_materials", ORGANISER, send={"visibility": "nobody"}, shows="Choose a file to upload."
    ),
    "session-files": Case("organiser.session_materials", ORGANISER),
    "material-edit": Case("organiser.material_edit", ORGANISER),
    "material-edit-errors": Case(
        "organiser.material_edit", ORGANISER, send={"visibility": "nobody"}, shows="Choose one of the options."
    ),
    # --- organisers: the steps that ask first
    "publish": Case("organiser.event_publish", ORGANISER, params=lambda a, x: {"event_id": a.draft_event_id}),
    "publish-already": Case("organiser.event_publish", ORGANISER),
    "back-to-draft": Case("organiser.event_unpublish", ORGANISER),
    "event-cancel": Case("organiser.event_cancel", ORGANISER),
    "event-delete": Case("organiser.event_delete", ORGANISER, params=lambda a, x: {"event_id": a.draft_event_id}),
    "event-delete-refused": Case("organiser.event_delete", ORGANISER),
    "session-delete": Case(
        "organiser.session_delete", ORGANISER, params=lambda a, x: {"session_id": a.draft_session_id}
    ),
    "session-delete-refused": Case("organiser.session_delete", ORGANISER),
    "registration-cancel": Case("organiser.registration_cancel", ORGANISER),
    "item-delete": Case("organiser.item_delete", ORGANISER),
    "item-edit": Case("organiser.item_edit", ORGANISER),
    "item-edit-errors": Case("organiser.item_edit", ORGANISER, send={"title": "", "ends": ""}),
    "item-edit-picker-errors": Case("organiser.item_edit", ORGANISER, send={"person_id": ""}, shows="Choose a person."),
    # --- organisers: after the session (the import's preview is looked at by tests/browser/test_attendance_journey.py)
    "session-recording": Case("organiser.session_recording", ORGANISER, shows="Recordings of the items"),
    "session-recording-errors": Case("organiser.session_recording", ORGANISER, send={"recording_url": "ftp://x"}),
    "item-recording": Case("organiser.item_recording", ORGANISER),
    "attendance-import": Case("organiser.attendance_import", ORGANISER),
    "attendance-import-errors": Case("organiser.attendance_import", ORGANISER, send={"report": ""}),
    "check-in": Case("organiser.check_in", ORGANISER, shows=NAME[:40]),
    "check-in-empty": Case("organiser.check_in", ORGANISER, params=lambda a, x: {"session_id": x.empty_session_id}),
    # --- the report: notes (with a long note and its history), typologies, the printable draft report
    "notes": Case("organiser.notes", ORGANISER),
    "notes-errors": Case("organiser.notes", ORGANISER, send={"email": "not an address"}),
    "item-note": Case("organiser.item_note", ORGANISER, shows="Version 1"),
    "item-note-stale": Case("organiser.item_note", ORGANISER, send={"version": "0", "body": QUESTION[:300]}),
    "session-summary": Case("organiser.session_summary", ORGANISER),
    "typologies": Case("organiser.typologies", ORGANISER),
    "typologies-errors": Case("organiser.typologies", ORGANISER, send={"name": ""}),
    "typologies-publish": Case("organiser.typologies_publish", ORGANISER),
    "item-typologies": Case("organiser.item_typologies", ORGANISER),
    "report": Case("organiser.report", ORGANISER, shows=NAME[:40]),
    "public-typologies": Case("agenda.typologies"),
    # --- speakers
    "speaker-sign-in": Case("speakers.sign_in"),
    "speaker-sign-in-errors": Case("speakers.sign_in", send={"email": "not an address"}),
    "speaker-link-sent": Case("speakers.link_sent"),
    "speaker-use-link": Case("speakers.use_link", params=lambda a, x: {"token": a.speaker_link_token}),
    "speaker-use-link-wrong": Case("speakers.use_link", params=lambda a, x: {"token": "not-a-token"}),
    "speaker-slots": Case("speakers.slots", SPEAKER),
    "speaker-slots-errors": Case("speakers.slots", SPEAKER, send={"timezone": ""}, shows="Choose a time zone."),
    "speaker-slot": Case("speakers.slot", SPEAKER),
    "speaker-slot-files": Case("speakers.slot_materials", SPEAKER),
    "speaker-slot-files-errors": Case(
        "speakers.slot_materials", SPEAKER, send={"visibility": "nobody"}, shows="Choose a file to upload."
    ),
    "speaker-material-edit": Case("speakers.material_edit", SPEAKER),
    "speaker-calendar": Case("speakers.calendar", SPEAKER),
    "speaker-profile": Case("speakers.profile", SPEAKER),
    "speaker-profile-errors": Case("speakers.profile", SPEAKER, send={"name": ""}),
    "speaker-questions": Case("speakers.questions", SPEAKER, shows=QUESTION[:40]),
}


# --- the world -------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_tables():
    """The module shares one world (tests/conftest.py empties the tables after every test elsewhere)."""
    yield


def _lengthen(world: World) -> None:
    """Alpha's rows with the longest text their columns hold."""
    a = world.alpha
    event = db.session.get(Event, a.event_id)
    event.title, event.venue = NAME, NAME
    event.description = f"Slides: {LONG_URL}"
    event.contact_name, event.contact_email = NAME, LONG_EMAIL
    # Each row's text starts differently: sections named after sessions and slots stay told apart.
    for number, session in enumerate(event.sessions):
        session.title, session.location = unbroken(200, f"Session{number}"), NAME
        session.description = LONG_URL
        for item in session.items:
            item.title, item.location, item.description = unbroken(300, f"Item{item.id}"), NAME, LONG_URL
    for person in db.session.scalars(db.select(Person).where(Person.event_id == a.event_id)):
        person.name = unbroken(200, f"Person{person.id}")
        person.position, person.organisation = LONG_TITLE, LONG_TITLE
        person.bio = f"See {LONG_URL}"
    registration = db.session.get(Registration, a.registration_id)
    registration.full_name, registration.organisation = NAME, NAME
    registration.question = registration.accessibility_needs = QUESTION
    message = db.session.get(OutboxMessage, a.message_id)
    message.to_name, message.subject, message.last_error = NAME, LONG_TITLE, QUESTION
    message.body_text = f"Dear {NAME},\n{LONG_URL}"
    db.session.get(Organiser, db.session.scalar(db.select(Organiser.id).filter_by(email=a.organiser_email))).name = NAME
    db.session.add(
        ActivityEntry(
            actor_kind=ActorKind.ORGANISER,
            actor_label=NAME,
            event_id=a.event_id,
            action="item.edit",
            summary=unbroken(500, "Changedtheitem"),
        )
    )
    material = db.session.get(Material, a.material_id)
    material.file_name = unbroken(196, "Presentationslides") + ".pdf"
    # The warning: an item at the panel's time in the same session.
    morning = db.session.get(EventSession, a.morning_session_id)
    db.session.add(
        AgendaItem(session=morning, title=LONG_TITLE, kind=ItemKind.PANEL, starts_at=at(10, 15), ends_at=at(10, 45))
    )


def _add_states(world: World) -> Extra:
    a = world.alpha
    organiser = db.session.scalar(db.select(Organiser).filter_by(email=a.organiser_email))
    common = {"venue": "Brussels", "timezone": "Europe/Brussels", "starts_on": DAY, "ends_on": DAY}
    empty = Event(slug="alpha-empty", title="Alpha empty event", status=EventStatus.DRAFT, **common)
    cancelled = Event(slug="alpha-cancelled", title=NAME, status=EventStatus.CANCELLED, **common)
    published = db.session.get(Event, a.event_id)
    organiser.events.extend([empty, cancelled])
    empty_session = EventSession(
        event=published,
        title="Alpha empty session",
        starts_at=at(14),
        ends_at=at(15),
        is_online=True,
        registration_enabled=True,
        capacity=5,
    )
    cancelled_session = EventSession(
        event=published,
        title=NAME,
        starts_at=at(15),
        ends_at=at(16),
        is_online=True,
        registration_enabled=True,
        capacity=5,
        seats_taken=1,
        status=SessionStatus.CANCELLED,
    )
    db.session.add_all([empty, cancelled, empty_session, cancelled_session])
    # Recordings of the online session and of its item, shown at once on the registrant's manage page.
    online = db.session.get(EventSession, a.session_id)
    online.recording_url = RECORDING_URL
    for item in online.items:
        item.recording_url = RECORDING_URL[:-5] + "-item"  # its own (one that differs from the session's)
    token = "alpha-manage-token-of-the-cancelled-session"
    db.session.add(
        Registration(
            session=cancelled_session,
            full_name=NAME,
            email=LONG_EMAIL,
            email_normalised=LONG_EMAIL,
            organisation=NAME,
            question=QUESTION,
            consent_version="2026-11",
            status=RegistrationStatus.CONFIRMED,
            manage_token_hash=hash_token(token),
        )
    )
    reset_token = "alpha-reset-token-of-the-page-sweep"
    db.session.add(
        PasswordResetToken(
            organiser=organiser,
            token_hash=hash_token(reset_token),
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
    )
    db.session.add(
        OutboxMessage(
            kind="confirmation",
            to_address=LONG_EMAIL,
            to_name=NAME,
            subject=LONG_TITLE,
            body_text=QUESTION,
            status=OutboxStatus.SENT,
            event_id=a.event_id,
        )
    )
    ended_token = _add_ended_session(published)
    db.session.flush()
    note = Note(item_id=a.item_id, body=QUESTION, version=1)
    note.revisions = [NoteRevision(version=1, body=QUESTION, saved_by_name=NAME)]
    db.session.add(note)
    return Extra(
        empty_event_id=empty.id,
        empty_session_id=empty_session.id,
        cancelled_event_id=cancelled.id,
        cancelled_slug=published.slug,
        cancelled_session_id=cancelled_session.id,
        cancelled_registration_token=token,
        reset_token=reset_token,
        ended_session_id=db.session.scalar(db.select(EventSession.id).filter_by(title=ENDED_TITLE)),
        ended_attendee_token=ended_token,
    )


ENDED_TITLE = unbroken(200, "Endedsession")


def _add_ended_session(event: Event) -> str:
    """A session that ended yesterday: 25 attendees who answered its survey (the longest answers), a no-show."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    ended = EventSession(
        event=event, title=ENDED_TITLE, starts_at=start, ends_at=start + timedelta(hours=1), is_online=True,
        recording_url=LONG_URL[:500],
    )  # fmt: skip
    survey = Survey(session=ended, rating_prompt=LONG_TITLE, closes_at=start + timedelta(days=14))
    survey.questions = [
        SurveyQuestion(position=1, kind=QuestionKind.TEXT, prompt=LONG_TITLE),
        SurveyQuestion(position=2, kind=QuestionKind.CHOICE, prompt=LONG_TITLE, choices=f"{NAME[:100]}\nNo"),
    ]
    db.session.add_all([ended, survey])
    token = "alpha-manage-token-of-the-ended-session"
    for n in range(26):
        registration = Registration(
            session=ended, full_name=NAME, email=f"{n}{LONG_EMAIL[2:]}", email_normalised=f"{n}{LONG_EMAIL[2:]}",
            organisation=NAME, consent_version="2026-11", status=RegistrationStatus.CONFIRMED,
            manage_token_hash=hash_token(token if n == 0 else f"{token}-{n}"), attended_at=start if n < 25 else None,
        )  # fmt: skip
        db.session.add(registration)
        if n < 25:
            db.session.add(
                SurveyAnswer(survey=survey, registration=registration, rating=1 + n % 5, answer_1=QUESTION[:2000],
                             answer_2=NAME[:100])
            )  # fmt: skip
    return token


@pytest.fixture(scope="module")
def world(app):
    with app.app_context():
        delete_all_rows()
        built = build_world()
        _lengthen(built)
        extra = _add_states(built)
        db.session.commit()
        db.session.remove()
    yield built, extra
    with app.app_context():
        db.session.remove()
        delete_all_rows()


@pytest.fixture(scope="module")
def pages(browser, live_server, world):
    """One browser page per visitor, signed in once through the real forms."""
    built, _extra = world
    contexts = {who: browser.new_context() for who in (ANONYMOUS, ORGANISER, SPEAKER)}
    tabs = {who: context.new_page() for who, context in contexts.items()}
    for tab in tabs.values():
        tab.set_default_timeout(10_000)
    organiser = tabs[ORGANISER]
    organiser.goto(live_server + "/organiser/sign-in")
    organiser.get_by_label("Email", exact=True).fill(built.alpha.organiser_email)
    organiser.get_by_label("Password", exact=True).fill(PASSWORD)
    organiser.get_by_role("button", name="Sign in").click()
    organiser.wait_for_url(live_server + "/organiser/")
    speaker = tabs[SPEAKER]
    speaker.goto(f"{live_server}/speaker/sign-in/{built.alpha.speaker_sign_in_token}")
    speaker.locator("main form [type=submit]").click()
    speaker.wait_for_url(live_server + "/speaker/")
    yield tabs
    for context in contexts.values():
        context.close()


# --- looking at a page -----------------------------------------------------------------------------------

#: Sets the named fields of the form that holds the first of them, and sends it as a browser would (without
#: the browser's own checks of `required` or `type=email`, so that the server's messages show).
SEND_FORM = """values => {
    const names = Object.keys(values);
    const first = document.querySelector(`main [name="${names[0]}"]`);
    const form = first.form;
    for (const name of names) {
        for (const input of form.querySelectorAll(`[name="${name}"]`)) { input.value = values[name]; }
    }
    form.noValidate = true;
    const submit = form.querySelector('[type=submit]:not([name=confirm])');
    form.requestSubmit(submit);
}"""

#: What sticks out sideways: the page's width, and the elements whose right edge passes the viewport.
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.right > width + 1 && box.width > 0) {
            let inner = false;
            for (let p = el.parentElement; p; p = p.parentElement) {
                const style = getComputedStyle(p);
                if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX) && p !== document.body
                    && p !== document.documentElement) { inner = true; break; }
            }
            if (!inner) {
                const id = el.id ? '#' + el.id : '';
                const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
                wide.push(`${el.tagName.toLowerCase()}${id}${cls} (${Math.round(box.right)} px)`);
            }
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""


def _open(tab, live_server: str, case: Case, path: str) -> None:
    response = tab.goto(live_server + path)
    assert response is not None and response.ok or case.endpoint.endswith(("use_link", "reset_password")), (
        f"{path} answered {response.status if response else 'nothing'}"
    )
    if case.send is not None:
        with tab.expect_navigation():
            tab.evaluate(SEND_FORM, case.send)


def _violations(tab) -> list[str]:
    if not tab.evaluate("typeof axe !== 'undefined'"):
        tab.evaluate(AXE_SOURCE)
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:4]}" for v in result["violations"]]


#: The case each visitor's page shows now.
_shown: dict[str, str] = {}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", CASES)
def test_page_fits_and_has_no_axe_violations(name, width, pages, world, live_server, app):
    case = CASES[name]
    built, extra = world
    rule = next(app.url_map.iter_rules(case.endpoint))
    values = {n: built.alpha.value(n) for n in rule.arguments if n != "token"}
    values.update(case.params(built.alpha, extra))
    path = url_for_rule(rule, values)
    tab = pages[case.who]
    tab.set_viewport_size({"width": width, "height": 900})

    # The other width of the same case looks at the page already there: the server's answer is the same.
    if _shown.get(case.who) != name:
        _open(tab, live_server, case, path)
        _shown[case.who] = name

    if case.shows is not None:
        assert case.shows in tab.locator("main").inner_text(), f"{path} does not show {case.shows!r}"
    overflow = tab.evaluate(OVERFLOW)
    problems = []
    if overflow["scrollWidth"] > width:
        problems.append(f"{overflow['scrollWidth']} px wide, not {width}: {overflow['wide']}")
    problems += _violations(tab)
    assert not problems, f"{name} ({path}) at {width} px:\n" + "\n".join(problems)


def test_every_get_route_is_swept(app):
    get_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    swept = {case.endpoint for case in CASES.values()}

    assert sorted(get_endpoints - swept - NOT_PAGES.keys()) == [], "GET routes with no case in CASES"
    assert sorted((swept | NOT_PAGES.keys()) - get_endpoints) == [], "cases for routes that are gone"
    assert swept.isdisjoint(NOT_PAGES)


def test_the_navbar_collapses_into_a_menu_button_at_320_px(pages, live_server):
    tab = pages[ORGANISER]
    _shown.pop(ORGANISER, None)
    tab.set_viewport_size({"width": 320, "height": 900})
    tab.goto(live_server + "/organiser/")
    menu = tab.get_by_role("button", name="Menu")
    sign_out = tab.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out")

    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not sign_out.is_visible()
    menu.focus()
    tab.keyboard.press("Enter")
    sign_out.wait_for(state="visible")
    assert menu.get_attribute("aria-expanded") == "true"
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320

    tab.set_viewport_size({"width": 1280, "height": 900})
    assert not menu.is_visible() and sign_out.is_visible()
