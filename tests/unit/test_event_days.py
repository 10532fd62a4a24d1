"""Sessions lie within their event's days, in the event's zone; event days stay within years 1900-2999."""

from datetime import UTC, date, datetime

import pytest

from app.agenda import services
from app.errors import ValidationFailed
from app.transaction import use_case
from tests.http.conftest import make_organiser

NOW = datetime(2030, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def event(app_context):
    with use_case():
        return services.create_event(
            by=make_organiser(),
            now=NOW,
            title="MPF Exchange Event",
            timezone="Europe/Brussels",
            starts_on=date(2030, 10, 29),
            ends_on=date(2030, 10, 30),
            contact_email="mpf@example.org",
        )


def _session(event, starts_at, ends_at):
    """Through the edge, as the organiser's screen does: a refused session is rolled back."""
    with use_case():
        return services.create_session(
            event, by=event.organisers[0], now=NOW, title="S", starts_at=starts_at, ends_at=ends_at
        )


def test_a_session_on_the_first_and_the_last_day_in_the_event_zone_is_accepted(event):
    # 00:00 on 29 October in Brussels (CET) is 23:00 UTC the day before; midnight after the last day ends it.
    first = _session(event, datetime(2030, 10, 28, 23, 0, tzinfo=UTC), datetime(2030, 10, 28, 23, 30, tzinfo=UTC))
    last = _session(event, datetime(2030, 10, 30, 22, 0, tzinfo=UTC), datetime(2030, 10, 30, 23, 0, tzinfo=UTC))

    assert (first.id, last.id) != (None, None)


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        (datetime(2030, 10, 28, 22, 59, tzinfo=UTC), datetime(2030, 10, 28, 23, 30, tzinfo=UTC)),
        (datetime(2030, 10, 30, 22, 0, tzinfo=UTC), datetime(2030, 10, 30, 23, 1, tzinfo=UTC)),
        (datetime(1, 1, 1, 10, 0, tzinfo=UTC), datetime(1, 1, 1, 11, 0, tzinfo=UTC)),
        (datetime(9999, 12, 31, 10, 0, tzinfo=UTC), datetime(9999, 12, 31, 11, 0, tzinfo=UTC)),
    ],
)
def test_a_session_outside_the_event_days_is_refused_with_the_days_named(event, starts_at, ends_at):
    with pytest.raises(ValidationFailed) as refused:
        _session(event, starts_at, ends_at)

    assert refused.value.message == (
        "The session must lie within the event's days (29 October 2030 to 30 October 2030, Europe/Brussels)."
    )
    assert event.sessions == []


def test_moving_a_session_out_of_the_event_days_is_refused(event):
    session = _session(event, datetime(2030, 10, 29, 8, 0, tzinfo=UTC), datetime(2030, 10, 29, 9, 0, tzinfo=UTC))

    with pytest.raises(ValidationFailed, match="must lie within the event's days"), use_case():
        services.update_session(
            session,
            by=event.organisers[0],
            now=NOW,
            starts_at=datetime(2030, 11, 2, 8, 0, tzinfo=UTC),
            ends_at=datetime(2030, 11, 2, 9, 0, tzinfo=UTC),
        )

    assert session.starts_at == datetime(2030, 10, 29, 8, 0, tzinfo=UTC)


def test_an_event_edit_that_would_leave_a_session_outside_its_days_is_refused(event):
    _session(event, datetime(2030, 10, 30, 8, 0, tzinfo=UTC), datetime(2030, 10, 30, 9, 0, tzinfo=UTC))

    with pytest.raises(ValidationFailed) as refused, use_case():
        services.update_event(event, by=event.organisers[0], now=NOW, ends_on=date(2030, 10, 29))

    assert refused.value.message == (
        "Its session “S” must lie within the event's days (29 October 2030, Europe/Brussels). Move it first."
    )
    assert event.ends_on == date(2030, 10, 30)


def test_changing_the_event_zone_can_leave_a_session_outside_and_is_refused(event):
    # 00:30 on 29 October in Brussels is still 28 October in New York.
    _session(event, datetime(2030, 10, 28, 23, 30, tzinfo=UTC), datetime(2030, 10, 28, 23, 45, tzinfo=UTC))

    with pytest.raises(ValidationFailed, match="Its session “S” must lie within"), use_case():
        services.update_event(event, by=event.organisers[0], now=NOW, timezone="America/New_York")

    assert event.timezone == "Europe/Brussels"


@pytest.mark.parametrize(
    ("starts_on", "ends_on"), [(date(1, 1, 1), date(1, 1, 2)), (date(9999, 12, 30), date(9999, 12, 31))]
)
def test_event_days_near_the_ends_of_the_calendar_are_refused(app_context, starts_on, ends_on):
    with pytest.raises(ValidationFailed, match="must lie between the years 1900 and 2999"):
        services.create_event(
            by=make_organiser(),
            now=NOW,
            title="Far",
            timezone="Etc/GMT+12",
            starts_on=starts_on,
            ends_on=ends_on,
            contact_email="mpf@example.org",
        )
