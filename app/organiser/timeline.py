"""The agenda editor's day view: the geometry of a server-drawn SVG timeline (no JavaScript, no CDN)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app import timeutil
from app.models import Event, EventSession

WIDTH = 1000
LABEL_WIDTH = 180
ROW_HEIGHT = 44
AXIS_HEIGHT = 24


@dataclass
class Bar:
    x: float
    width: float
    label: str
    title: str
    flagged: bool = False


@dataclass
class Row:
    session: EventSession
    y: float
    band: Bar
    items: list[Bar] = field(default_factory=list)


@dataclass
class DayTimeline:
    day: date
    height: float
    ticks: list[tuple[float, str]]
    rows: list[Row]


def day_timelines(event: Event, flagged: set[int]) -> list[DayTimeline]:
    """One timeline per day that has sessions, in the event's zone; flagged items are drawn as warnings."""
    zone = event.timezone
    by_day: dict[date, list[EventSession]] = {}
    for session in event.sessions:
        by_day.setdefault(timeutil.to_zone(session.starts_at, zone).date(), []).append(session)
    days = []
    for day, sessions in sorted(by_day.items()):
        times = [s.starts_at for s in sessions] + [s.ends_at for s in sessions]
        times += [i.starts_at for s in sessions for i in s.items] + [i.ends_at for s in sessions for i in s.items]
        start = timeutil.to_zone(min(times), zone).replace(minute=0, second=0, microsecond=0)
        end = timeutil.to_zone(max(times), zone)
        if end.minute or end.second:
            end = end.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        span = max((end - start).total_seconds(), 3600)
        scale = (WIDTH - LABEL_WIDTH - 40) / span  # room for the last hour label

        def x_of(value: datetime, start=start, scale=scale) -> float:
            return round(LABEL_WIDTH + (value - start).total_seconds() * scale, 1)

        ticks = []
        tick = start
        while tick <= end:
            ticks.append((x_of(tick), tick.strftime("%H:%M")))
            tick += timedelta(hours=1)
        rows = []
        for index, session in enumerate(sessions):
            y = AXIS_HEIGHT + index * ROW_HEIGHT
            band = Bar(
                x_of(session.starts_at),
                max(x_of(session.ends_at) - x_of(session.starts_at), 1),
                session.title,
                f"{session.title}, {timeutil.format_range(session.starts_at, session.ends_at, zone)}",
            )
            row = Row(session, y, band)
            for item in session.items:
                row.items.append(
                    Bar(
                        x_of(item.starts_at),
                        max(x_of(item.ends_at) - x_of(item.starts_at), 1),
                        item.title,
                        f"{item.title}, {timeutil.format_range(item.starts_at, item.ends_at, zone)}",
                        item.id in flagged,
                    )
                )
            rows.append(row)
        days.append(DayTimeline(day, AXIS_HEIGHT + len(rows) * ROW_HEIGHT + 4, ticks, rows))
    return days
