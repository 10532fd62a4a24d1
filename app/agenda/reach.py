"""Who is told of a change to the agenda: the one rule the organiser's previews and the editing services share.

- A session that moves, or whose join link changes, sends each of its confirmed attendees an updated invite;
  a move also sends the waiting list a note (they may still get a seat; no invite, since they hold none, and
  a new join link is not for them); called off, it sends them a cancellation and the waiting list a note.
  Cancelled and anonymised registrations reach nobody (`registration.services.reached_registrations`).
- The people appearing in an item get one email per appearance (their slot's invite) when the item moves,
  when the session's join link changes, or when the item or session is called off; only once the event is
  published, since nobody relies on a draft, and only those with an email address.

The screens show a `Reach` before saving, and `agenda.services` decides with `session_change` and sends to
exactly the appearances of `appearances_to_tell`, so what a preview announces is what is sent.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func

from app.extensions import db
from app.models import AgendaItem, Appearance, EventSession, EventStatus, Registration, RegistrationStatus
from app.registration.services import reached_registrations


@dataclass(frozen=True)
class Reach:
    """How many emails a change sends: to confirmed attendees, to the waiting list, to speakers."""

    confirmed: int = 0
    waitlisted: int = 0
    speakers: int = 0

    @property
    def anyone(self) -> bool:
        return bool(self.confirmed or self.waitlisted or self.speakers)


@dataclass(frozen=True)
class SessionChange:
    """What an edit of a session changes that attendees and speakers rely on."""

    moved: bool
    link_changed: bool
    #: The session moves and its items move with it (the speakers' slots change).
    items_move: bool

    @property
    def tells_attendees(self) -> bool:
        return self.moved or self.link_changed

    @property
    def tells_speakers(self) -> bool:
        return self.items_move or self.link_changed


def normalised_join_url(join_url: str | None) -> str | None:
    return (join_url or "").strip() or None


def session_change(
    session: EventSession, *, starts_at: datetime, ends_at: datetime, join_url: str | None, move_items: bool
) -> SessionChange:
    moved = (starts_at, ends_at) != (session.starts_at, session.ends_at)
    return SessionChange(
        moved=moved,
        link_changed=normalised_join_url(join_url) != session.join_url,
        items_move=moved and move_items,
    )


def appearances_to_tell(items: list[AgendaItem]) -> list[Appearance]:
    """The appearances whose person gets an email when these items change: an address, a published event."""
    return [
        appearance
        for item in items
        if item.session.event.status == EventStatus.PUBLISHED
        for appearance in item.appearances
        if appearance.person.email
    ]


def items_moved(items: list[AgendaItem], plan: dict[int, tuple[datetime, datetime]]) -> list[AgendaItem]:
    """The items whose times the plan (item id: new start and end) changes."""
    return [item for item in items if item.id in plan and plan[item.id] != (item.starts_at, item.ends_at)]


def _attendees(session: EventSession) -> dict[RegistrationStatus, int]:
    query = (
        reached_registrations(session)
        .with_only_columns(Registration.status, func.count())
        .group_by(Registration.status)
    )
    return dict(db.session.execute(query).all())


def who_is_told(session: EventSession, *, move_items: bool = True, **new_values) -> Reach:
    """Who saving these values for the session (the fields of agenda.services.update_session) tells."""
    change = session_change(
        session,
        starts_at=new_values.get("starts_at", session.starts_at),
        ends_at=new_values.get("ends_at", session.ends_at),
        join_url=new_values.get("join_url", session.join_url),
        move_items=move_items,
    )
    counts = _attendees(session) if change.tells_attendees else {}
    confirmed = counts.get(RegistrationStatus.CONFIRMED, 0)
    waitlisted = counts.get(RegistrationStatus.WAITLISTED, 0) if change.moved else 0
    speakers = len(appearances_to_tell(list(session.items))) if change.tells_speakers else 0
    return Reach(confirmed=confirmed, waitlisted=waitlisted, speakers=speakers)


def who_is_told_of_cancellation(session: EventSession) -> Reach:
    """Calling the session off tells every attendee still registered and every speaker of its items."""
    counts = _attendees(session)
    return Reach(
        confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
        speakers=len(appearances_to_tell(list(session.items))),
    )


def who_is_told_of_items(items: list[AgendaItem], plan: dict[int, tuple[datetime, datetime]]) -> Reach:
    """Moving items (agenda.services.plan_item_change) tells the speakers of those whose times change."""
    return Reach(speakers=len(appearances_to_tell(items_moved(items, plan))))
