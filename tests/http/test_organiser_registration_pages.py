"""The organiser's registration list in pages of 50: links, kept filters, bad page numbers, query counts."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g, render_template_string, request
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy import update as sa_update

from app.extensions import db
from app.models import AttendeeGroup, EventSession, Registration, RegistrationStatus
from app.organiser.forms import RegistrationFilterForm
from app.registration.listing import PAGE_SIZE
from app.security import hash_token
from app.transaction import use_case
from tests.factories import DAY, at, make_online_session
from tests.http.conftest import make_organiser

NOW = at(9, day=DAY - timedelta(days=10))


def add_registrations(session: EventSession, count: int) -> None:
    """`count` registrations in one commit, "Person 0001" the oldest; every third one waiting and an EU service.
    The confirmed ones take seats (the capacity is lifted), so cancelling one through the page works."""
    session.capacity = None
    session.seats_taken += count - count // 3
    for n in range(1, count + 1):
        waiting = n % 3 == 0
        db.session.add(
            Registration(
                session=session,
                full_name=f"Person {n:04d}",
                email=f"person{n}-{session.id}@example.com",
                email_normalised=f"person{n}-{session.id}@example.com",
                organisation="Agency" if waiting else "Ministry",
                group=AttendeeGroup.EU_SERVICE if waiting else AttendeeGroup.PARTNER_COUNTRY,
                consent_version="2026-11",
                status=RegistrationStatus.WAITLISTED if waiting else RegistrationStatus.CONFIRMED,
                manage_token_hash=hash_token(f"page-token-{session.id}-{n}"),
                created_at=NOW + timedelta(minutes=n),
            )
        )
    db.session.commit()


def names(html: str) -> list[str]:
    return re.findall(r'<tr data-registration="\d+">\s*<td>(Person \d{4})<br>', html)


def page_links(html: str) -> dict[str, dict[str, list[str]]]:
    """The pagination's links by their accessible name, each as its parsed query string."""
    nav = re.search(r'<nav aria-label="Pages of registrations">(.*?)</nav>', html, re.S)
    assert nav, "no pagination nav"
    return {
        label: parse_qs(urlsplit(unescape(href)).query)
        for href, label in re.findall(r'<a class="page-link" href="([^"]+)" aria-label="([^"]+)">', nav.group(1))
    }


@pytest.fixture
def session_of_120(app_context):
    session = make_online_session(title="Crowded")
    add_registrations(session, 120)
    return session


def test_page_size_is_50():
    assert PAGE_SIZE == 50


def test_first_page_shows_the_50_oldest_and_links_to_the_others(client, sign_in, session_of_120):
    sign_in(events=[session_of_120.event])

    html = client.get(f"/organiser/sessions/{session_of_120.id}/registrations/").text

    assert names(html) == [f"Person {n:04d}" for n in range(1, 51)]
    assert "Showing 1–50 of 120 registrations (page 1 of 3)." in html
    assert '<li class="page-item disabled"><span class="page-link">Previous</span></li>' in html
    assert '<li class="page-item active" aria-current="page"><span class="page-link">1<span' in html
    assert page_links(html) == {"Page 2": {"page": ["2"]}, "Page 3": {"page": ["3"]}, "Next page": {"page": ["2"]}}


def test_second_page_shows_the_next_50(client, sign_in, session_of_120):
    sign_in(events=[session_of_120.event])

    html = client.get(f"/organiser/sessions/{session_of_120.id}/registrations/", query_string={"page": 2}).text

    assert names(html) == [f"Person {n:04d}" for n in range(51, 101)]
    assert "Showing 51–100 of 120 registrations (page 2 of 3)." in html
    assert '<li class="page-item active" aria-current="page"><span class="page-link">2<span' in html
    assert page_links(html) == {
        "Previous page": {"page": ["1"]},
        "Page 1": {"page": ["1"]},
        "Page 3": {"page": ["3"]},
        "Next page": {"page": ["3"]},
    }


def test_filters_and_search_are_kept_across_pages(client, sign_in, session_of_120):
    sign_in(events=[session_of_120.event])
    filters = {"status": "confirmed", "group": "partner_country", "q": "ministry"}  # 80 of the 120

    first = client.get(f"/organiser/sessions/{session_of_120.id}/registrations/", query_string=filters).text
    link = page_links(first)["Next page"]
    second = client.get(
        f"/organiser/sessions/{session_of_120.id}/registrations/", query_string={**filters, "page": 2}
    ).text

    assert link == {"page": ["2"], "status": ["confirmed"], "group": ["partner_country"], "q": ["ministry"]}
    assert "Showing 1–50 of 80 registrations (page 1 of 2)." in first
    assert "Showing 51–80 of 80 registrations (page 2 of 2)." in second
    confirmed = [f"Person {n:04d}" for n in range(1, 121) if n % 3]
    assert names(first) == confirmed[:50] and names(second) == confirmed[50:]
    assert page_links(second)["Page 1"] == {"page": ["1"], **{k: [v] for k, v in filters.items()}}
    # The CSV link carries the filters but not the page: it exports the whole filtered list.
    assert (
        f'href="/organiser/sessions/{session_of_120.id}/registrations.csv?status=confirmed&amp;group=partner_country'
        '&amp;q=ministry"' in second
    )


def test_csv_export_still_has_every_filtered_registration(client, sign_in, session_of_120):
    sign_in(events=[session_of_120.event])

    response = client.get(
        f"/organiser/sessions/{session_of_120.id}/registrations.csv", query_string={"status": "waitlisted", "page": 2}
    )

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [f"Person {n:04d}" for n in range(3, 121, 3)]


@pytest.mark.parametrize(
    ("page", "first", "expected"),
    [
        ("abc", 1, "Showing 1–50 of 120 registrations (page 1 of 3)."),
        ("0", 1, "Showing 1–50 of 120 registrations (page 1 of 3)."),
        ("-2", 1, "Showing 1–50 of 120 registrations (page 1 of 3)."),
        ("2.5", 1, "Showing 1–50 of 120 registrations (page 1 of 3)."),
        ("4", 101, "Showing 101–120 of 120 registrations (page 3 of 3)."),
        ("99999999999999999999999", 101, "Showing 101–120 of 120 registrations (page 3 of 3)."),
    ],
)
def test_a_bad_or_too_high_page_number_shows_the_first_or_last_page(
    client, sign_in, session_of_120, page, first, expected
):
    sign_in(events=[session_of_120.event])

    response = client.get(f"/organiser/sessions/{session_of_120.id}/registrations/", query_string={"page": page})

    assert response.status_code == 200
    assert expected in response.text
    assert names(response.text)[0] == f"Person {first:04d}"


def test_a_page_of_an_empty_filter_says_none_are_shown_without_links(client, sign_in, session_of_120):
    sign_in(events=[session_of_120.event])

    html = client.get(
        f"/organiser/sessions/{session_of_120.id}/registrations/", query_string={"q": "nobody-here", "page": 3}
    ).text

    assert "0 registrations shown." in html
    assert names(html) == [] and "Pages of registrations" not in html


@pytest.mark.parametrize(
    ("filters", "rows"),
    [
        ({}, {"Small": 10, "Large": 50}),
        # 40 of the small session's 60 are confirmed: one page, so page 2 shows the last (and only) one.
        ({"status": "confirmed"}, {"Small": 40, "Large": 50}),
        ({"group": "partner_country", "q": "person"}, {"Small": 40, "Large": 50}),
    ],
)
def test_query_count_does_not_grow_with_the_registrations(client, sign_in, app_context, count_queries, filters, rows):
    small, large = make_online_session(title="Small"), make_online_session(title="Large")
    add_registrations(small, 60)
    add_registrations(large, 600)
    sign_in(events=[small.event, large.event])
    ids = {"Small": small.id, "Large": large.id}
    client.get(f"/organiser/sessions/{small.id}/registrations/")  # the signed-in organiser is then kept in `g`

    counted = {}
    for title, session_id in ids.items():
        db.session.remove()  # nothing cached from building the data or the last request
        with count_queries() as statements:
            response = client.get(
                f"/organiser/sessions/{session_id}/registrations/", query_string={**filters, "page": 2}
            )
        assert len(names(response.text)) == rows[title]
        counted[title] = statements

    # The session with its event (and whether the organiser manages it), the counts by status with how many
    # match the filters, the page of rows: three, whatever the number of registrations or the filters.
    assert len(counted["Small"]) == len(counted["Large"]) == 3, counted["Large"]
    session_query, counts_query, page_query = counted["Large"]
    assert "FROM event_sessions JOIN events" in session_query and "event_organisers" in session_query
    assert "GROUP BY registrations.status" in counts_query
    assert "LIMIT" in page_query and "LIMIT" not in session_query + counts_query


def test_each_row_form_carries_the_csrf_token_and_it_works(app, client, sign_in, session_of_120, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    sign_in(events=[session_of_120.event])

    html = client.get(f"/organiser/sessions/{session_of_120.id}/registrations/", query_string={"page": 3}).text
    tokens = re.findall(r'<input [^>]*name="csrf_token"[^>]*value="([^"]+)">', html)
    # Sign-out, the capacity form and the one form the rows' buttons submit: one token, no id repeated.
    assert len(tokens) == 3 and len(set(tokens)) == 1
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    shared = re.search(r'<form id="row-actions" method="post">(.*?)</form>', html).group(1)
    assert tokens[-1] in shared
    # 20 rows: 7 waiting (Give a seat), each button naming its form and action; every row's Cancel is a link to
    # the page that asks first.
    buttons = re.findall(r'<button type="submit" form="row-actions" formaction="([^"]+)"', html)
    assert len(buttons) == 7 and all(b.endswith("/confirm") for b in buttons)
    assert len(re.findall(r'<a href="[^"]+/registrations/\d+/cancel" class="btn', html)) == 20
    registration_id = int(buttons[0].split("/")[-2])
    refused = client.post(buttons[0])
    seated = client.post(buttons[0], data={"csrf_token": tokens[-1]})

    assert refused.status_code == 400
    assert seated.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, registration_id).status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(
    "args",
    [{}, {"status": "waitlisted", "group": "eu_service"}, {"status": "nonsense", "group": "x" * 200}],
)
def test_the_list_writes_its_selects_as_wtforms_would(app, args):
    # The list writes its filter selects' options itself (plain_select, cheaper): the HTML is WTForms'.
    template = (
        '{% from "organiser/_form.html" import field %}'
        "{{ field(form.status, plain_select=ps) }}{{ field(form.group, plain_select=ps) }}"
    )
    with app.test_request_context(query_string=args):
        form = RegistrationFilterForm(request.args)
        form.validate()
        plain, wtforms = (render_template_string(template, form=form, ps=ps) for ps in (True, False))

    assert plain == wtforms
    assert plain.count("<option") == 4 + 6


# --- the kept rendering: served again until something it shows changes ------------------------------------


def test_a_kept_list_costs_one_query_and_shows_every_change_at_once(
    app, client, sign_in, session_of_120, count_queries
):
    from app.registration import services

    sign_in(events=[session_of_120.event])
    url = f"/organiser/sessions/{session_of_120.id}/registrations/"
    last_page = {"page": 3}
    client.get(url, query_string=last_page)
    db.session.remove()

    with count_queries() as statements:
        kept = client.get(url, query_string=last_page).text
    # The session (with its registrations_version and the may-manage check); no counts, no rows.
    assert len(statements) == 1 and "FROM event_sessions JOIN events" in statements[0]
    assert names(kept)[-1] == "Person 0120"

    session = db.session.get(EventSession, session_of_120.id)
    with use_case():  # each change is another person's use case, committed
        result = services.register_attendee(
            session, full_name="Newcomer", email="newcomer@example.com", consent=True, now=NOW + timedelta(days=1)
        )
    registration_id = result.registration.id
    html = client.get(url, query_string=last_page).text
    assert "Newcomer" in html and "Showing 101–121 of 121 registrations" in html

    with use_case():
        services.update_registration(
            db.session.get(Registration, registration_id),
            full_name="Newcomer Renamed",
            organisation="",
            group="other",
            question="Why?",
            accessibility_needs="",
        )
    html = client.get(url, query_string=last_page).text
    assert "Newcomer Renamed" in html and "Why?" in html

    with use_case():
        services.cancel_registration(db.session.get(Registration, registration_id), now=NOW + timedelta(days=2))
    html = client.get(url, query_string={**last_page, "status": "cancelled"}).text
    assert re.findall(r"<td>([^<]+)<br>", html) == ["Newcomer Renamed"]
    seats = re.search(r"<p id=\"seats\">(.*?)</p>", client.get(url).text).group(1)
    # No limit: the freed seat's cancellation also gave the 40 waiting a seat, and the kept page says so.
    assert seats == "<strong>120</strong> of unlimited seats taken · <strong>0</strong> waiting · 1 cancelled"

    session = db.session.get(EventSession, session_of_120.id)
    session.title = "Crowded, renamed"
    db.session.commit()
    assert "Registrations of Crowded, renamed" in client.get(url).text


def test_a_kept_list_goes_only_to_organisers_of_the_event_each_with_their_own_token(app, session_of_120, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    url = f"/organiser/sessions/{session_of_120.id}/registrations/"

    def signed_in(email: str, events: list) -> FlaskClient:
        # The test's app context outlives each request: forget who signed in last and their CSRF token (g).
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = make_organiser(email, events=events).get_id()
        return client

    first = signed_in("first@example.org", [session_of_120.event]).get(url).text
    second = signed_in("second@example.org", [session_of_120.event]).get(url).text

    def token(html: str) -> str:
        found = set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))
        assert len(found) == 1
        return found.pop()

    assert token(first) != token(second)
    assert names(first) == names(second) and len(names(first)) == 50
    assert "csrf-" not in first + second  # the marker the kept page holds in place of the token
    assert signed_in("outsider@example.org", []).get(url).status_code == 404


def test_the_database_counts_every_change_to_a_listed_registration(app_context, session_of_120):
    """Triggers raise registrations_version on insert, on an update of a listed column, on delete; not on an
    update the list does not show (a new manage link)."""

    def version() -> int:
        db.session.expire_all()
        return db.session.get(EventSession, session_of_120.id).registrations_version

    registration = db.session.scalar(select(Registration).where(Registration.session_id == session_of_120.id))
    start = version()
    assert start >= 120

    registration.manage_token_hash = hash_token("another link")
    db.session.commit()
    assert version() == start

    registration.question = "A new question"
    db.session.commit()
    after_question = version()
    assert after_question > start

    registration.attended_at = datetime(2027, 10, 30, 8, 5, tzinfo=UTC)  # attendance is listed too
    db.session.commit()
    after_update = version()
    assert after_update > after_question

    db.session.execute(
        sa_update(Registration).where(Registration.id == registration.id).values(status=RegistrationStatus.CANCELLED)
    )
    db.session.commit()
    after_core = version()
    assert after_core > after_update

    db.session.delete(db.session.get(Registration, registration.id))
    db.session.commit()
    assert version() > after_core


def test_with_the_cache_off_every_view_renders_the_list_afresh(app, client, sign_in, session_of_120, count_queries):
    from app.render_cache import RenderCache

    sign_in(events=[session_of_120.event])
    url = f"/organiser/sessions/{session_of_120.id}/registrations/"
    kept = app.extensions.get("public_render_cache")
    app.extensions["public_render_cache"] = RenderCache(0)  # PUBLIC_CACHE_SIZE=0
    try:
        client.get(url)
        db.session.remove()
        with count_queries() as statements:
            html = client.get(url, query_string={"page": 3}).text
    finally:
        if kept is None:
            app.extensions.pop("public_render_cache")
        else:
            app.extensions["public_render_cache"] = kept

    # The session, the counts and the page of rows: nothing kept, nothing missing.
    assert len(statements) == 3
    assert names(html) == [f"Person {n:04d}" for n in range(101, 121)]
