"""Public pages through the test client: exact content, drafts and unknown ids, zones, bad input, query counts."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.demo.loader import load_demo
from app.extensions import db
from app.models import AgendaItem, Appearance, EventSession, EventStatus, ItemKind, Person, SessionStatus
from app.public import views
from app.render_cache import RenderCache, render_cache
from tests.factories import at, make_appearance, make_event, make_item, make_person, make_session

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SLUG = "mpf-exchange-event"
JOIN_URL = "https://meet.example.org/mpf-looking-ahead"
PANEL = "Looking Ahead – What are the priorities for cooperation on borders and security?"


def text_of(page: bytes) -> str:
    """The page's visible text: tags dropped, entities decoded, white space collapsed."""
    body = page.decode()
    body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<select\b.*?</select>", " ", body, flags=re.S)
    body = re.sub(r"<(br|/p|/li|/h[1-6]|/option)\b[^>]*>", " ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def sections(page: bytes) -> list[str]:
    """The text of each session's section of an agenda page, in order."""
    parts = page.decode().split('<section class="agenda-session')[1:]
    return [text_of(part.split(">", 1)[1].split("</section>")[0].encode()) for part in parts]


@pytest.fixture
def demo(app_context):
    return load_demo(today=NOW.date(), now=NOW).event


def _item(title: str) -> AgendaItem:
    return db.session.scalars(select(AgendaItem).where(AgendaItem.title == title)).first()


def _person(name: str) -> Person:
    return db.session.scalar(select(Person).where(Person.name == name))


# --- the home page -------------------------------------------------------------------------------------------


def test_home_lists_upcoming_published_events_and_hides_drafts_and_past_ones(client):
    make_event(slug="published", title="Published Exchange", starts_on=date(2030, 5, 1), ends_on=date(2030, 5, 2))
    make_event(slug="draft", title="Draft Exchange", status=EventStatus.DRAFT)
    make_event(slug="past", title="Past Exchange", starts_on=date(2020, 1, 1), ends_on=date(2020, 1, 1))
    make_event(
        slug="past-cancelled",
        title="Past Cancelled Exchange",
        status=EventStatus.CANCELLED,
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 1, 1),
    )
    make_event(slug="called-off", title="Called Off Exchange", status=EventStatus.CANCELLED)

    response = client.get("/")

    text = text_of(response.data)
    assert response.status_code == 200
    assert "Published Exchange 1 May 2030 – 2 May 2030 Brussels" in text
    assert "Called Off Exchange Cancelled 30 October 2030" in text
    assert "Draft Exchange" not in text
    assert "Past Exchange" not in text
    assert "Past Cancelled Exchange" not in text
    assert b'href="/events/published/"' in response.data
    assert text.index("Published Exchange") < text.index("Called Off Exchange")


def test_home_without_events_says_so(client):
    assert "No events are published yet." in text_of(client.get("/").data)


# --- the event's agenda --------------------------------------------------------------------------------------


def test_event_page_lists_prometheus_ii_with_its_speaker_and_affiliation(client, demo):
    response = client.get(f"/events/{SLUG}/")

    morning = sections(response.data)[0]
    assert response.status_code == 200
    assert (
        "PROMETHEUS II 09:30–09:55 CEST · Presentation Mr Jean-Christophe Hilaire Speaker, "
        "Police Commander, Chief of Bureau, Ministry of Interior, France"
    ) in morning


def test_event_page_groups_the_agenda_by_session_in_the_reports_order(client, demo):
    morning, afternoon, follow_up = sections(client.get(f"/events/{SLUG}/").data)

    assert morning.startswith(
        "Morning Session: Borders & Security Cooperation Priorities Thursday 14 October 2027, 09:00–13:30 CEST"
    )
    assert [t in morning for t in ("Opening Remarks", "PROMETHEUS II", "RAPAK", "Coffee break", "Lunch")] == [True] * 5
    assert morning.index("PROMETHEUS II") < morning.index("RAPAK") < morning.index(PANEL) < morning.index("Lunch")
    assert "PROMETHEUS II" not in afternoon
    assert "14:15–14:35 CEST · Presentation · Typology: Operational Partnership Mr Donatas Škarnulis" in afternoon
    assert "Closure of the MPF Exchange Event – Final Words 16:40–17:00 CEST · Closure Mr Oleg Chirita" in afternoon
    assert follow_up.startswith("Looking Ahead: online follow-up session Online Saturday 30 October 2027, 10:00–11:30")


def test_event_page_names_the_panel_moderator_and_panellists_with_roles(client, demo):
    morning = sections(client.get(f"/events/{SLUG}/").data)[0]

    panel = morning[morning.index(PANEL) :]
    assert panel.index("Mr Borut Erzen Moderator, Head of ICMPD's Border Management and Security Programme") < (
        panel.index("Mr Erik Silfversten Panellist, Assistant Director at RAND Europe")
    )
    assert "Ms Silvia Carta Panellist, Advocacy Officer – Migration Policy at PICUM" in panel


def test_event_page_names_the_zone_and_offers_calendar_links(client, demo):
    item = _item("PROMETHEUS II")

    response = client.get(f"/events/{SLUG}/")

    page = response.data.decode()
    assert "Times are shown in Europe/Brussels." in text_of(response.data)
    assert f'href="/events/{SLUG}/agenda.ics"' in page
    assert f'href="/events/{SLUG}/sessions/{item.session_id}.ics"' in page
    assert f"/items/{item.id}.ics" not in page and "text=PROMETHEUS%20II" not in page  # once per session, not item
    assert "SUMMARY:PROMETHEUS II" in client.get(f"/events/{SLUG}/items/{item.id}.ics").data.decode()  # still answers
    assert re.search(r'<option value="Europe/Brussels" selected>Brussels, Belgium \(UTC\+[12]\)</option>', page)
    assert "Pacific/Auckland" not in page and 'name="find_zone"' in page  # other zones are found by search
    assert 'src="/static/zone.js"' in page
    assert "<script>" not in page and " onclick=" not in page


def test_no_public_page_shows_the_join_link(client, demo):
    follow_up = demo.sessions[2]
    erzen = _person("Borut Erzen")
    urls = [
        "/",
        f"/events/{SLUG}/",
        f"/events/{SLUG}/sessions/{follow_up.id}/",
        f"/events/{SLUG}/speakers/",
        f"/events/{SLUG}/speakers/{erzen.id}/",
    ]

    pages = {url: client.get(url) for url in urls}

    assert {url: r.status_code for url, r in pages.items()} == dict.fromkeys(urls, 200)
    assert [url for url, r in pages.items() if JOIN_URL.encode() in r.data or b"meet.example.org" in r.data] == []


# --- a session -------------------------------------------------------------------------------------------------


def test_session_page_shows_aims_follow_up_online_marker_and_seats(client, demo):
    follow_up = demo.sessions[2]
    panel = _item(PANEL)
    follow_up.seats_taken = 37
    db.session.commit()

    response = client.get(f"/events/{SLUG}/sessions/{follow_up.id}/")

    page = response.data.decode()
    text = text_of(response.data)
    assert response.status_code == 200
    assert text.startswith("Skip to content MPF Events Menu Events MPF Exchange Event Looking Ahead: online follow-up")
    assert "Looking Ahead: online follow-up session Online Saturday 30 October 2027, 10:00–11:30 CEST" in text
    assert "Online session: the link to join is sent to confirmed attendees." in text
    assert f"Follows up: {PANEL}" in text
    assert f'href="/events/{SLUG}/sessions/{demo.sessions[0].id}/#item-{panel.id}"' in page
    assert 'Aims The panel "Looking Ahead" was very well received' in text
    assert "Registration 63 of 100 seats left." in text
    assert 'class="session-panel' in page
    assert f'href="/events/{SLUG}/sessions/{follow_up.id}.ics"' in page
    assert "Questions and discussion with the panel 10:00–11:30 CEST · Discussion Mr Borut Erzen Moderator" in text


def test_session_page_without_registration_shows_no_seats_or_panel(client, demo):
    morning = demo.sessions[0]

    response = client.get(f"/events/{SLUG}/sessions/{morning.id}/")

    text = text_of(response.data)
    assert "Plenary room, ICMPD Brussels Mission, Brussels" in text
    assert "seats left" not in text
    assert b"session-panel" not in response.data
    assert "Follows up" not in text


def test_cancelled_session_is_marked_on_the_event_and_session_pages(client, app_context):
    event = make_event(slug="exchange")
    session = make_session(event, title="Afternoon", status=SessionStatus.CANCELLED)

    event_page = text_of(client.get("/events/exchange/").data)
    session_page = text_of(client.get(f"/events/exchange/sessions/{session.id}/").data)

    assert "Afternoon Cancelled" in event_page
    assert "This session has been cancelled." in session_page


def test_session_of_another_event_is_not_found(client, demo):
    other = make_session(make_event(slug="other"))

    response = client.get(f"/events/{SLUG}/sessions/{other.id}/")

    assert response.status_code == 404
    assert "We could not find that page." in text_of(response.data)


# --- speakers --------------------------------------------------------------------------------------------------


def test_speakers_page_lists_everyone_on_the_agenda_by_name_with_their_slots(client, demo):
    response = client.get(f"/events/{SLUG}/speakers/")

    text = text_of(response.data)
    names = re.findall(r'class="fw-semibold" href="[^"]+">([^<]+)</a>', response.data.decode())
    assert len(names) == 20
    assert names[:3] == [
        "Ms Caroline Ambiaux",
        "Mr Richard Ares Baumgartner",
        "Mr Pawel Busiakiewicz",
    ]
    assert (
        "Mr Borut Erzen Head of ICMPD's Border Management and Security Programme "
        f"Moderator: {PANEL}; Moderator: Questions and discussion with the panel"
    ) in text


def test_speaker_page_lists_their_slots_in_the_event_zone(client, demo):
    erzen = _person("Borut Erzen")

    response = client.get(f"/events/{SLUG}/speakers/{erzen.id}/")

    text = text_of(response.data)
    assert response.status_code == 200
    assert "Mr Borut Erzen Head of ICMPD's Border Management and Security Programme" in text
    assert (
        f"Slots {PANEL} Moderator · Thursday 14 October 2027, 11:15–12:30 CEST · "
        "Morning Session: Borders & Security Cooperation Priorities"
    ) in text
    assert (
        "Questions and discussion with the panel Moderator · Saturday 30 October 2027, 10:00–11:30 CEST · "
        "Looking Ahead: online follow-up session"
    ) in text


def test_speaker_not_on_this_events_agenda_is_not_found(client, demo):
    not_speaking = make_person(demo, name="Not Speaking")
    other_item = make_item(make_session(make_event(slug="other-exchange")))
    elsewhere = make_person(other_item.session.event, name="Speaks Elsewhere")
    make_appearance(other_item, elsewhere)

    responses = [client.get(f"/events/{SLUG}/speakers/{person.id}/") for person in (not_speaking, elsewhere)]
    listed = text_of(client.get(f"/events/{SLUG}/speakers/").data)

    assert [r.status_code for r in responses] == [404, 404]
    assert all("We could not find that page." in text_of(r.data) for r in responses)
    assert "Not Speaking" not in listed and "Speaks Elsewhere" not in listed
    assert client.get(f"/events/other-exchange/speakers/{elsewhere.id}/").status_code == 200


# --- drafts and unknown addresses ----------------------------------------------------------------------------


def test_a_draft_event_is_not_found_on_any_public_page_or_feed(client, app_context):
    event = make_event(slug="secret", status=EventStatus.DRAFT)
    session = make_session(event)
    item = make_item(session)
    person = make_person(event)
    make_appearance(item, person)
    urls = [
        "/events/secret/",
        f"/events/secret/sessions/{session.id}/",
        "/events/secret/speakers/",
        f"/events/secret/speakers/{person.id}/",
        "/events/secret/agenda.ics",
        f"/events/secret/sessions/{session.id}.ics",
        f"/events/secret/items/{item.id}.ics",
    ]

    responses = {url: client.get(url) for url in urls}

    assert {url: r.status_code for url, r in responses.items()} == dict.fromkeys(urls, 404)
    assert all("We could not find that page." in text_of(r.data) for r in responses.values())
    assert all(b'class="navbar-brand"' in r.data for r in responses.values())


@pytest.mark.parametrize(
    "url",
    [
        "/events/no-such-event/",
        "/events/no-such-event/speakers/",
        f"/events/{SLUG}/sessions/999999/",
        f"/events/{SLUG}/sessions/not-a-number/",
        f"/events/{SLUG}/speakers/999999/",
        f"/events/{SLUG}/speakers/-1/",
        f"/events/{SLUG}/items/999999.ics",
        f"/events/{SLUG}/sessions/999999.ics",
    ],
)
def test_unknown_slugs_and_ids_give_the_sites_404_page(client, demo, url):
    response = client.get(url)

    assert response.status_code == 404
    assert text_of(response.data).startswith(
        "Skip to content MPF Events Menu Events Not Found We could not find that page."
    )


# --- time zones and bad input --------------------------------------------------------------------------------


def test_choosing_a_zone_shows_times_there_and_remembers_it_in_a_cookie(client, demo):
    response = client.get(f"/events/{SLUG}/?tz=Asia/Tbilisi")

    assert "PROMETHEUS II 11:30–11:55 +04" in sections(response.data)[0]
    assert "Times are shown in Asia/Tbilisi (the event takes place in Europe/Brussels)." in text_of(response.data)
    assert response.headers["Set-Cookie"].startswith("tz=Asia/Tbilisi;")
    assert response.headers["Vary"] == "Cookie, Accept-Language"
    assert "HttpOnly" in response.headers["Set-Cookie"]

    later = client.get(f"/events/{SLUG}/speakers/{_person('Jean-Christophe Hilaire').id}/")

    assert "Thursday 14 October 2027, 11:30–11:55 +04" in text_of(later.data)
    assert '<option value="Asia/Tbilisi" selected>' in later.data.decode()
    assert 'data-remembered="true"' in later.data.decode()


@pytest.mark.parametrize(
    ("tz", "shown"),
    [
        ("Mars/Olympus_Mons", "“Mars/Olympus_Mons” is not a time zone we know"),
        ("../../etc/passwd", "“../../etc/passwd” is not a time zone we know"),
        ("<b>Europe/Paris</b>", "“<b>Europe/Paris</b>” is not a time zone we know"),
        ("Europe/Brussels\x00", "is not a time zone we know"),
        ("A" * 300, "“" + "A" * 61 + "...” is not a time zone we know"),
    ],
)
def test_an_unknown_zone_is_ignored_with_a_visible_note(client, demo, tz, shown):
    response = client.get(f"/events/{SLUG}/", query_string={"tz": tz})

    assert response.status_code == 200
    assert shown in text_of(response.data)
    assert "PROMETHEUS II 09:30–09:55 CEST" in sections(response.data)[0]
    assert "Set-Cookie" not in response.headers
    assert b"<b>Europe/Paris</b>" not in response.data


@pytest.mark.parametrize("query", ["tz=", "tz", "tz=%ff%fe", "tz=UTC&tz=Asia/Tbilisi", "%%%=&&&", "tz[]=x"])
def test_malformed_query_strings_are_ignored(client, demo, query):
    response = client.get(f"/events/{SLUG}/?{query}")

    assert response.status_code == 200
    assert "PROMETHEUS II" in text_of(response.data)


def test_a_bad_zone_cookie_is_ignored(client, demo):
    client.set_cookie("tz", "Nowhere/Land")

    response = client.get(f"/events/{SLUG}/")

    assert "PROMETHEUS II 09:30–09:55 CEST" in sections(response.data)[0]
    assert "not a time zone we know" not in text_of(response.data)


# --- the cache and the queries -------------------------------------------------------------------------------


def test_a_change_to_the_agenda_shows_at_once(client, demo):
    assert "PROMETHEUS II" in text_of(client.get(f"/events/{SLUG}/").data)
    item = _item("PROMETHEUS II")
    hilaire = _person("Jean-Christophe Hilaire")

    item.title = "PROMETHEUS III"
    db.session.commit()
    renamed = text_of(client.get(f"/events/{SLUG}/").data)
    hilaire.position = "Chief of Bureau"
    db.session.commit()
    moved = text_of(client.get(f"/events/{SLUG}/").data)
    db.session.delete(db.session.scalars(select(Appearance).where(Appearance.person_id == hilaire.id)).one())
    db.session.commit()
    removed = text_of(client.get(f"/events/{SLUG}/").data)

    assert "PROMETHEUS III 09:30–09:55 CEST" in renamed and "PROMETHEUS II " not in renamed
    assert "Mr Jean-Christophe Hilaire Speaker, Chief of Bureau, Ministry of Interior, France" in moved
    assert "Jean-Christophe Hilaire" not in removed


def test_a_role_change_on_the_agenda_shows_at_once(client, demo):
    client.get(f"/events/{SLUG}/")
    carta = _person("Silvia Carta")
    appearance = db.session.scalars(select(Appearance).where(Appearance.person_id == carta.id)).first()

    appearance.role = "moderator"
    db.session.commit()

    assert "Ms Silvia Carta Moderator, Advocacy Officer" in text_of(client.get(f"/events/{SLUG}/").data)


def _event_with_items(n: int, slug: str):
    event = make_event(slug=slug)
    sessions = [make_session(event, starts_at=at(8), ends_at=at(20)) for _ in range(2)]
    for i in range(n):
        session = sessions[i % 2]
        start = at(8) + timedelta(minutes=3 * i)
        item = AgendaItem(
            session=session,
            title=f"Item {i}",
            kind=ItemKind.PRESENTATION,
            starts_at=start,
            ends_at=start + timedelta(minutes=3),
        )
        db.session.add(item)
        person = Person(event=event, name=f"Speaker {slug} {i}", email=f"{slug}{i}@example.org")
        db.session.add(Appearance(item=item, person=person))
    db.session.commit()
    return event


@pytest.mark.parametrize("path", ["/", "/agenda.ics"])
def test_agenda_page_and_feed_make_the_same_number_of_queries_for_10_and_200_items(app, client, count_queries, path):
    _event_with_items(10, "small")
    _event_with_items(200, "large")
    # Versions trusted for an hour: on a loaded machine the cold render of 200 items can outlast the 2-second
    # default, and the warm request would then rightly look the version up again (one query).
    usual = render_cache()
    app.extensions["public_render_cache"] = RenderCache(256, 3600)
    counts = {}
    try:
        for slug in ("small", "large"):
            render_cache().clear()
            with count_queries() as cold:
                cold_response = client.get(f"/events/{slug}{path}")
            with count_queries() as warm:
                warm_response = client.get(f"/events/{slug}{path}")
            assert cold_response.status_code == warm_response.status_code == 200
            assert warm_response.data == cold_response.data
            counts[slug] = (len(cold), len(warm))
    finally:
        app.extensions["public_render_cache"] = usual

    assert counts == {"small": (5, 0), "large": (5, 0)}


def test_a_visitor_with_a_session_gets_their_own_page_not_the_shared_one(client, demo):
    shared = client.get(f"/events/{SLUG}/")
    with client.session_transaction() as flask_session:
        flask_session["_flashes"] = [("message", "Your registration is confirmed.")]

    own = client.get(f"/events/{SLUG}/")

    assert "Your registration is confirmed." not in text_of(shared.data)
    assert "Your registration is confirmed." in text_of(own.data)


def test_a_cached_session_page_is_rendered_again_once_registration_closes(app, client, app_context):
    """The page is cached only until the next moment its state changes with the clock alone."""
    session = make_session(make_event(slug="clocked"), registration_enabled=True, capacity=5)
    closes = datetime.now(UTC) + timedelta(hours=1)
    session.registration_closes_at = closes
    db.session.commit()
    render_cache().clear()
    client.get(f"/events/clocked/sessions/{session.id}/")
    # Entries are kept per language (the key's first part); this visitor's page is English.
    ((language, key),) = render_cache()._entries
    assert language == "en"
    html, valid_until = render_cache().get(key)

    render_cache().put(key, (b"stale page", datetime.now(UTC) - timedelta(seconds=1)))
    fresh = client.get(f"/events/clocked/sessions/{session.id}/")

    assert valid_until == closes
    assert views._next_change_of_state(session, closes) == session.starts_at
    assert fresh.data != b"stale page" and "5 of 5 seats left." in text_of(fresh.data)


def test_the_home_page_shows_a_newly_published_event_at_once(client, app_context):
    event = make_event(slug="soon", title="Soon Exchange", status=EventStatus.DRAFT)
    before = text_of(client.get("/").data)

    event.status = EventStatus.PUBLISHED
    db.session.commit()
    after = text_of(client.get("/").data)

    assert ("Soon Exchange" in before, "Soon Exchange" in after) == (False, True)


def test_the_public_footer_links_to_the_speaker_and_organiser_sign_in_pages(client, demo):
    for url in ("/", f"/events/{SLUG}/"):
        footer = client.get(url).get_data(as_text=True).split("<footer", 1)[1].split("</footer>")[0]

        assert '<a href="/speaker/sign-in">Speaker sign-in</a>' in footer
        assert '<a href="/organiser/sign-in">Organiser sign-in</a>' in footer
    assert "<h1>Speaker sign-in</h1>" in client.get("/speaker/sign-in").get_data(as_text=True)
    assert "<h1>Organiser sign-in</h1>" in client.get("/organiser/sign-in").get_data(as_text=True)


# --- the event page leads with the sessions open for registration ---------------------------------------------


def _open_block(page: bytes) -> str | None:
    """The text of the "Open for registration" block, None when the page has none."""
    body = page.decode()
    if 'class="open-registration' not in body:
        return None
    return text_of(body.split('class="open-registration', 1)[1].split("</section>", 1)[0].split(">", 1)[1].encode())


def test_the_event_page_leads_with_the_sessions_open_for_registration_in_the_visitors_zone(client, app_context):
    event = make_event(slug="leads")
    open_one = make_session(event, title="Morning workshop", registration_enabled=True, starts_at=at(8), ends_at=at(10))
    make_session(event, title="No registration here", starts_at=at(11), ends_at=at(12))
    closed = make_session(event, title="Closed already", registration_enabled=True, starts_at=at(13), ends_at=at(14))
    closed.registration_closes_at = datetime.now(UTC) - timedelta(hours=1)
    later = make_session(event, title="Opens later", registration_enabled=True, starts_at=at(15), ends_at=at(16))
    later.registration_opens_at = datetime.now(UTC) + timedelta(days=1)
    db.session.commit()

    page = client.get("/events/leads/?tz=America/New_York").data

    assert _open_block(page) == (
        "Open for registration Morning workshop Wednesday 30 October 2030, 04:00–06:00 EDT"
        " Register for Morning workshop"
    )
    body = page.decode()
    assert f'href="/events/leads/sessions/{open_one.id}/register"' in body
    assert body.index("Open for registration") < body.index('<section class="agenda-session')


def test_a_full_session_with_a_waiting_list_is_offered_as_such(client, app_context):
    event = make_event(slug="full-up")
    session = make_session(event, title="Tiny room", registration_enabled=True, capacity=1, seats_taken=1)

    page = client.get("/events/full-up/").data

    assert _open_block(page) == (
        "Open for registration Tiny room Wednesday 30 October 2030, 09:00–13:00 CET"
        " This session is full: Join the waiting list for Tiny room"
    )
    assert f'href="/events/full-up/sessions/{session.id}/register"' in page.decode()


def test_the_block_is_absent_when_no_session_is_open(client, app_context):
    event = make_event(slug="nothing-open")
    make_session(event, title="Talks", registration_enabled=False)
    make_session(event, title="Full", registration_enabled=True, capacity=1, seats_taken=1, waitlist_enabled=False)

    page = client.get("/events/nothing-open/").data

    assert _open_block(page) is None and "Open for registration" not in page.decode()


def test_add_to_calendar_is_offered_once_per_session_and_never_per_item(client, app_context):
    event = make_event(slug="once")
    first = make_session(event, title="First", starts_at=at(8), ends_at=at(10))
    second = make_session(event, title="Second", starts_at=at(11), ends_at=at(12))
    items = [make_item(first, title="Opening"), make_item(first, title="Keynote"), make_item(second, title="Close")]

    page = client.get("/events/once/").data.decode()

    assert page.count("Add to calendar (.ics)") == 2
    assert [section.count("Add to calendar (.ics)") for section in sections(page.encode())] == [1, 1]
    assert (
        f'href="/events/once/sessions/{first.id}.ics"' in page
        and f'href="/events/once/sessions/{second.id}.ics"' in page
    )
    assert all(f"/items/{item.id}.ics" not in page for item in items)
    assert all(client.get(f"/events/once/items/{item.id}.ics").status_code == 200 for item in items)


def test_the_cached_event_page_shows_the_block_once_registration_opens_by_the_clock(client, app_context):
    """The kept page is valid only until a session's registration opens: then it is rendered again."""
    event = make_event(slug="opens-soon")
    session = make_session(event, title="Soon open", registration_enabled=True)
    opens = datetime.now(UTC) + timedelta(hours=1)
    session.registration_opens_at = opens
    db.session.commit()
    render_cache().clear()
    before = client.get("/events/opens-soon/").data
    # Entries are kept per language (the key's first part); this visitor's page is English.
    ((language, key),) = render_cache()._entries
    assert language == "en"
    _html, valid_until = render_cache().get(key)

    session.registration_opens_at = datetime.now(UTC) - timedelta(minutes=1)  # the clock passes the opening,
    db.session.execute(  # without any write the agenda's version would see
        EventSession.__table__.update()
        .where(EventSession.id == session.id)
        .values(registration_opens_at=session.registration_opens_at, updated_at=session.updated_at)
    )
    db.session.commit()
    render_cache().put(key, (before, datetime.now(UTC) - timedelta(seconds=1)))  # ... and its validity ended
    after = client.get("/events/opens-soon/").data

    assert _open_block(before) is None
    assert valid_until == opens
    assert (
        _open_block(after)
        == "Open for registration Soon open Wednesday 30 October 2030, 09:00–13:00 CET Register for Soon open"
    )
