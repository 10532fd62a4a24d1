"""Who is told of a change to the agenda: the one rule the organiser's previews and the editing services share.

- A session that moves, or whose join link changes, sends each of its confirmed attendees an updated invite;
  a move also sends the waiting list a note (they may still get a seat; no invite, since they hold none, and
  a new join link is not for them); called off, it sends them a cancellation and the waiting list a note.
  Cancelled and anonymised registrations reach nobody (`registration.services.reached_registrations`).
- The people appearing in an item get one email per appearance (their slot's invite) when the item moves,
  when the session's join link changes, or when the item or session is called off; only once the event is
  published, since nobody relies on a draft, and only those with an email address.

- Publishing tells each person with an email address what changed in their slots since what they were last
  sent (`SlotNotice`, one row per slot): a slot they were never sent (or last sent a cancellation of) gets
  the invite, a slot whose time, place, title, session or role changed gets an update, a slot they were sent
  that is gone (removed, its person or item deleted, its session called off) gets a cancellation, and an
  unchanged slot nothing. So the first publish sends every invite and publishing again after a return to
  draft sends only the difference.

The screens show a `Reach` (or a `PublishReach`) before saving, and `agenda.services` decides with
`session_change` and sends to exactly the appearances of `appearances_to_tell` (or the slots of
`who_is_told_of_publishing`), so what a preview announces is what is sent.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.calendar import identity
from app.extensions import db
from app.models import (
    AgendaItem,
    Appearance,
    Event,
    EventSession,
    EventStatus,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    SlotNotice,
)
from app.registration.services import reached_registrations, seats_given_by_capacity


@dataclass(frozen=True)
class Reach:
    """How many emails a change sends: to confirmed attendees, to the waiting list, to speakers."""

    confirmed: int = 0
    waitlisted: int = 0
    speakers: int = 0
    #: People of the waiting list a new capacity gives a seat (each gets the "you are in" invite).
    promoted: int = 0

    @property
    def anyone(self) -> bool:
        return bool(self.confirmed or self.waitlisted or self.speakers or self.promoted)


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
    promoted = seats_given_by_capacity(session, new_values["capacity"]) if "capacity" in new_values else 0
    return Reach(confirmed=confirmed, waitlisted=waitlisted, speakers=speakers, promoted=promoted)


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


# --- publishing ---------------------------------------------------------------------------------


#: What publishing sends for one slot: the change given to the slot's email (app.mail.speaker_messages).
ADDED, MOVED, CHANGED, CANCELLED = "added", "moved", "changed", "cancelled"


@dataclass(frozen=True)
class SlotToTell:
    """One slot of one person as the publish step lists it, and what publishing sends for it (`change`, None
    for nothing: unchanged, or no address to send to)."""

    change: str | None
    item_title: str
    session_title: str
    role: str
    starts_at: datetime
    ends_at: datetime
    #: The slot as it is now; None for a slot that is gone (its cancellation is built from `notice`).
    appearance: Appearance | None = None
    notice: SlotNotice | None = None


@dataclass(frozen=True)
class PersonToTell:
    name: str
    address: str | None
    slots: tuple[SlotToTell, ...]

    @property
    def changes(self) -> tuple[SlotToTell, ...]:
        return tuple(slot for slot in self.slots if slot.change)


@dataclass(frozen=True)
class PublishReach:
    """Who publishing emails (each person with their slots' changes), and who it cannot tell (no address)."""

    told: tuple[PersonToTell, ...]
    not_told: tuple[PersonToTell, ...]

    @property
    def people(self) -> int:
        return len(self.told)

    @property
    def emails(self) -> int:
        return sum(len(person.changes) for person in self.told)


def told_fingerprint(notice: SlotNotice) -> tuple:
    """What the speaker's last email of the slot said: what a republish compares with `slot_fingerprint`."""
    return (notice.item_title, notice.session_title, notice.role, notice.starts_at, notice.ends_at, notice.location)


def slot_fingerprint(appearance: Appearance) -> tuple:
    """What the slot's email says now: its title, session, role, times and place (the join link included)."""
    item = appearance.item
    session = item.session
    place = identity.location(session, item=item, join_link=True)
    return (item.title, session.title, appearance.role.value, item.starts_at, item.ends_at, place)


def _change(appearance: Appearance, notice: SlotNotice | None) -> str | None:
    if appearance.item.session.is_cancelled:
        return CANCELLED if notice is not None and not notice.cancelled else None
    if notice is None or notice.cancelled:
        return ADDED
    told, now = told_fingerprint(notice), slot_fingerprint(appearance)
    if told == now:
        return None
    return MOVED if told[3:5] != now[3:5] else CHANGED


def _slot(appearance: Appearance, change: str | None, notice: SlotNotice | None) -> SlotToTell:
    item = appearance.item
    return SlotToTell(
        change=change,
        item_title=item.title,
        session_title=item.session.title,
        role=appearance.role.value,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        appearance=appearance,
        notice=notice,
    )


def _gone(notice: SlotNotice) -> SlotToTell:
    return SlotToTell(
        change=CANCELLED,
        item_title=notice.item_title,
        session_title=notice.session_title,
        role=notice.role,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        notice=notice,
    )


def who_is_told_of_publishing(event: Event) -> PublishReach:
    """What publishing the event now sends to whom, compared with what each person was last sent (see the
    module's docstring); the publish step shows it and `agenda.services.publish_event` sends exactly it."""
    notices = {
        notice.uid: notice for notice in db.session.scalars(select(SlotNotice).where(SlotNotice.event_id == event.id))
    }
    appearances = db.session.scalars(
        select(Appearance)
        .join(Person, Person.id == Appearance.person_id)
        .where(Person.event_id == event.id)
        .options(joinedload(Appearance.person), joinedload(Appearance.item).joinedload(AgendaItem.session))
    ).unique()
    told: dict[str, list[SlotToTell]] = {}
    names: dict[str, str] = {}
    not_told: dict[int, tuple[Person, list[SlotToTell]]] = {}
    for appearance in appearances:
        person = appearance.person
        notice = notices.pop(appearance.uid, None)
        if not person.email:
            if not appearance.item.session.is_cancelled:
                not_told.setdefault(person.id, (person, []))[1].append(_slot(appearance, None, None))
            continue
        change = _change(appearance, notice)
        if change is None and appearance.item.session.is_cancelled:
            continue
        told.setdefault(person.email, []).append(_slot(appearance, change, notice))
        names[person.email] = person.display_name
    for notice in notices.values():
        if not notice.cancelled:
            told.setdefault(notice.to_address, []).append(_gone(notice))
            names.setdefault(notice.to_address, notice.to_name)

    def by_time(slots: list[SlotToTell]) -> tuple[SlotToTell, ...]:
        return tuple(sorted(slots, key=lambda slot: (slot.starts_at, slot.item_title)))

    people = [PersonToTell(names[address], address, by_time(slots)) for address, slots in told.items()]
    return PublishReach(
        told=tuple(sorted((p for p in people if p.changes), key=lambda p: (p.name.casefold(), p.address))),
        not_told=tuple(
            sorted(
                (PersonToTell(person.display_name, None, by_time(slots)) for person, slots in not_told.values()),
                key=lambda p: p.name.casefold(),
            )
        ),
    )


def role_label(role: str) -> str:
    return Role(role).label
