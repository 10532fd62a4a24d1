"""The demo loader: the report's event, every person in the report's wording, idempotent."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from app.demo.loader import demo_dates, load_demo
from app.extensions import db
from app.models import AgendaItem, Appearance, Event, EventSession, ItemKind, Person, Role
from app.organiser.services import authenticate_organiser, managed_events

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

#: Every person named in the report, with honorific and position/organisation as the report writes them.
REPORT_PEOPLE = {
    "Mr Pawel Busiakiewicz": "Head of Unit HOME A3, Directorate General Migration and Home Affairs, "
    "European Commission",
    "Mr Ralph Genetzke": "Director, ICMPD Brussels Mission",
    "Mr Jean-Christophe Hilaire": "Police Commander, Chief of Bureau, Ministry of Interior, France",
    "Mr William Huddleston": "RAPAK ICMPD Project Manager",
    "Mr Kaspars Fismeisters": "Senior Specialist of the International Cooperation Board of the Central Board of "
    "the State Border Guard of Latvia",
    "Mr Borut Erzen": "Head of ICMPD's Border Management and Security Programme",
    "Mr Erik Silfversten": "Assistant Director at RAND Europe",
    "Mr Vilim Lukas": "Department of Public and European Law at the University of Finance and Administration in Prague",
    "Ms Silvia Carta": "Advocacy Officer – Migration Policy at PICUM (Platform for International Cooperation on "
    "Undocumented Migrants)",
    "Mr Richard Ares Baumgartner": "EU Affairs Strategic Advisor at Frontex",
    "Ms Alexandra Sa-Carvalho": "Deputy Head of Unit HOME A3, Directorate General Migration and Home Affairs, "
    "European Commission",
    "Dr Jennifer Tangney": "MPF Senior Manager, ICMPD",
    "Mr Donatas Škarnulis": "Head of Criminal Investigation Board, State Border Guard Service at the Ministry of "
    "Interior of the Republic of Lithuania",
    "Ms Ana Couteiro": "Coop4INT Project Manager and Head of Migrant Integration Support Unit of Portugal",
    "Mr Oussama Elbaroudi": "WAFIRA Project Officer",
    "Mr Alexander Maleev": "Senior Project Manager, Prague Process Secretariat",
    "Ms Caroline Ambiaux": "Project Manager, Budapest Process Secretariat",
    "Ms Giovanna Marconi": "INSigHT Project Manager & Associate Professor at the University IUAV of Venice",
    "Ms Michela Sempredon": "INSigHT Research Coordinator & Senior Researcher/Lecturer at the University of Parma",
    "Mr Oleg Chirita": "Head of Global Initiatives in ICMPD",
}


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Event, EventSession, AgendaItem, Person, Appearance)
    )


def test_demo_dates_pick_the_next_30_october_with_the_event_ahead():
    assert demo_dates(date(2026, 11, 29)) == (date(2027, 10, 14), date(2027, 10, 30))
    assert demo_dates(date(2027, 3, 1)) == (date(2027, 10, 14), date(2027, 10, 30))
    assert demo_dates(date(2027, 10, 14)) == (date(2028, 10, 14), date(2028, 10, 30))


def test_load_demo_twice_changes_nothing(app_context):
    first = load_demo(today=NOW.date(), now=NOW)
    counts = _counts()
    second = load_demo(today=NOW.date(), now=NOW)

    assert first.created is True
    assert second.created is False
    assert second.event.id == first.event.id
    assert counts == (1, 3, 19, 20, 25)
    assert _counts() == counts


def test_load_demo_has_every_person_in_the_report_wording(app_context):
    load_demo(today=NOW.date(), now=NOW)

    people = {p.display_name: p.affiliation for p in db.session.scalars(select(Person))}

    assert people == REPORT_PEOPLE


def test_load_demo_keeps_the_report_order_and_the_panel(app_context):
    event = load_demo(today=NOW.date(), now=NOW).event
    morning, afternoon, follow_up = event.sessions

    assert [i.title for i in morning.items] == [
        "Opening Remarks",
        "PROMETHEUS II",
        "RAPAK",
        "Strengthening Georgian Border Police (GBP) Capacities for Green and Sea Border Surveillance",
        "Coffee break",
        "MPF Borders & Security Call for Proposals",
        "Looking Ahead – What are the priorities for cooperation on borders and security?",
        "Lunch",
    ]
    panel = morning.items[6]
    assert [(a.person.name, a.role) for a in panel.appearances] == [
        ("Borut Erzen", Role.MODERATOR),
        ("Erik Silfversten", Role.PANELLIST),
        ("Vilim Lukas", Role.PANELLIST),
        ("Silvia Carta", Role.PANELLIST),
        ("Richard Ares Baumgartner", Role.PANELLIST),
    ]
    assert [i.typology for i in afternoon.items if i.typology] == [
        "Operational Partnership",
        "Capacity Partnership",
        "Labour Migration and Skills Partnership",
        "Policy Dialogue Partnership",
        "Action Research Partnership",
    ]
    assert afternoon.items[-1].kind == ItemKind.CLOSURE
    assert follow_up.follows_up_item_id == panel.id


def test_load_demo_opens_the_30_october_follow_up_at_10_brussels(app_context):
    event = load_demo(today=NOW.date(), now=NOW).event
    follow_up = event.sessions[2]

    # 30 October 2027 is still summer time in Brussels (UTC+2).
    assert follow_up.starts_at == datetime(2027, 10, 30, 8, 0, tzinfo=UTC)
    assert follow_up.is_online is True
    assert follow_up.registration_enabled is True
    assert follow_up.capacity == 100
    assert follow_up.registration_opens_at == NOW
    assert follow_up.registration_closes_at == follow_up.starts_at
    assert event.starts_on == date(2027, 10, 14)
    assert event.sessions[0].starts_at == datetime(2027, 10, 14, 7, 0, tzinfo=UTC)


def test_load_demo_lists_a_demo_organiser_who_can_sign_in(app_context):
    event = load_demo(today=NOW.date(), now=NOW).event

    organiser = authenticate_organiser("organiser@example.org", "mpf-demo-organiser")

    assert organiser is not None
    assert [e.slug for e in managed_events(organiser)] == [event.slug]
