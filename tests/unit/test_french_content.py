"""The organiser's French titles and descriptions: the services store them cleaned, refuse what the English
fields refuse, and `localised` shows them to French readers only where given; the demo carries them."""

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.agenda import services
from app.demo.loader import load_demo
from app.errors import ValidationFailed
from app.extensions import db
from app.i18n import localised
from app.models import ActivityEntry, AgendaItem, Event, EventSession
from app.transaction import use_case
from tests.factories import at, make_event, make_item, make_session
from tests.http.conftest import make_organiser

NOW = datetime(2030, 9, 1, 12, 0, tzinfo=UTC)
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture
def organiser(app_context):
    return make_organiser()


def _event(organiser, **fields) -> Event:
    values = dict(
        title="MPF Exchange Event",
        timezone="Europe/Brussels",
        starts_on=date(2030, 10, 30),
        ends_on=date(2030, 10, 30),
        contact_email="mpf@example.org",
    )
    return services.create_event(by=organiser, now=NOW, **values | fields)


def test_the_services_store_french_titles_and_descriptions_trimmed_and_empty_ones_as_none(organiser):
    event = _event(organiser, title_fr="  Rencontre d’échange   du MPF ", description_fr="")
    session = services.create_session(
        event,
        by=organiser,
        now=NOW,
        title="Looking Ahead",
        title_fr="Perspectives",
        description_fr=" Une séance en ligne.\r\nPlus de temps pour les questions. ",
        starts_at=at(9),
        ends_at=at(10),
    )
    item = services.create_item(
        session, by=organiser, now=NOW, title="Questions", title_fr="   ", starts_at=at(9), ends_at=at(10)
    )
    db.session.commit()

    assert (event.title_fr, event.description_fr) == ("Rencontre d’échange du MPF", None)
    assert (session.title_fr, session.description_fr) == (
        "Perspectives",
        "Une séance en ligne.\nPlus de temps pour les questions.",
    )
    assert (item.title_fr, item.description_fr) == (None, None)


def test_updates_change_and_clear_the_french_and_the_log_names_them(organiser):
    event = _event(organiser, title_fr="Rencontre")
    session = services.create_session(event, by=organiser, now=NOW, title="Morning", starts_at=at(8), ends_at=at(11))
    item = services.create_item(session, by=organiser, now=NOW, title="Lunch", starts_at=at(10), ends_at=at(11))

    services.update_event(event, by=organiser, now=NOW, title_fr="", description_fr="Une description.")
    services.update_session(session, by=organiser, now=NOW, title_fr="Séance du matin")
    services.update_item(item, by=organiser, now=NOW, title_fr="Déjeuner")
    db.session.commit()

    assert (event.title_fr, event.description_fr) == (None, "Une description.")
    assert (session.title_fr, item.title_fr) == ("Séance du matin", "Déjeuner")
    summaries = db.session.scalars(select(ActivityEntry.summary).order_by(ActivityEntry.id)).all()
    assert summaries[-3:] == [
        "Changed the event's French title, French description.",
        "Changed the French title of the session “Morning”.",
        "Changed the French title of “Lunch”.",
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title_fr": "Ligne\x07"}, "The French title contains characters that are not allowed."),
        ({"description_fr": "Texte\x00"}, "The French description contains characters that are not allowed."),
        ({"title_fr": "é" * 201}, "Use 200 characters or fewer for the French title."),
        ({"description_fr": "é" * 5001}, "Use 5000 characters or fewer for the French description."),
    ],
)
def test_the_french_fields_follow_the_english_ones_rules_and_nothing_is_saved(organiser, fields, message):
    with pytest.raises(ValidationFailed) as refused, use_case():
        _event(organiser, **fields)

    assert str(refused.value) == message
    assert db.session.scalar(select(Event)) is None


def test_an_item_title_in_french_may_be_as_long_as_the_english_one(organiser):
    session = make_session(make_event(), starts_at=at(8), ends_at=at(11))

    item = services.create_item(session, by=organiser, now=NOW, title="Talk", title_fr="é" * 300, starts_at=at(8),
                                ends_at=at(9))  # fmt: skip
    with pytest.raises(ValidationFailed, match="Use 300 characters or fewer for the French title."):
        services.update_item(item, by=organiser, now=NOW, title_fr="é" * 301)


def test_localised_gives_the_french_where_given_and_the_english_otherwise(app_context):
    session = make_session(title="Looking Ahead", title_fr="Perspectives", description="Aims.", description_fr=None)
    db.session.commit()

    with force_locale("fr"):
        french = (localised(session, "title"), localised(session, "description"))
    with force_locale("en"):
        english = localised(session, "title")

    assert french == ("Perspectives", "Aims.")
    assert english == "Looking Ahead"
    assert localised(session, "title", "fr") == "Perspectives"
    assert localised(make_item(session, title="Lunch"), "title", "fr") == "Lunch"


def test_the_demo_carries_french_titles_for_its_event_sessions_and_follow_up(app_context):
    demo_now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    load_demo(today=demo_now.date(), now=demo_now)

    event = db.session.scalar(select(Event))
    sessions = db.session.scalars(select(EventSession).order_by(EventSession.starts_at)).all()
    follow_up = next(s for s in sessions if s.follows_up_item_id is not None)
    assert event.title_fr == "Rencontre d’échange du MPF"
    assert [s.title_fr for s in sessions] == [
        f"Séance du matin{NBSP}: priorités de la coopération en matière de frontières et de sécurité",
        f"Séance de l’après-midi{NBSP}: «{NBSP}La force des approches partenariales{NBSP}»",
        f"Perspectives{NBSP}: séance de suivi en ligne",
    ]
    assert follow_up.title_fr == f"Perspectives{NBSP}: séance de suivi en ligne"
    assert follow_up.description_fr.startswith(f"Le panel «{NBSP}Perspectives{NBSP}» a été très bien accueilli")
    assert follow_up.follows_up_item.title_fr == (
        f"Perspectives – Quelles priorités pour la coopération en matière de frontières et de sécurité{NNBSP}?"
    )
    untranslated = db.session.scalars(select(AgendaItem.title).where(AgendaItem.title_fr.is_(None))).all()
    assert "Opening Remarks" not in untranslated and "Coffee break" not in untranslated
