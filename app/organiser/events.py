"""Events and their agenda: the event, its sessions, their items and the people who appear in them."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app import timeutil
from app.agenda import reach
from app.agenda import services as agenda
from app.agenda.timeline import check_timeline, new_session_room_clashes, session_room_clashes
from app.errors import DomainError, SessionCancelled
from app.extensions import db
from app.forms import keeps_input
from app.materials import services as materials
from app.materials import storage
from app.models import AgendaItem, Appearance, Event, EventSession, EventStatus, ItemKind, Person, Role
from app.organiser import services as accounts
from app.organiser.common import (
    apply,
    bp,
    check_confirm_form,
    event_or_404,
    form_fields,
    item_or_404,
    local,
    local_or_none,
    needs_confirmation,
    now,
    session_or_404,
)
from app.organiser.forms import (
    AppearanceForm,
    CancelSessionForm,
    ConfirmForm,
    EventForm,
    ItemForm,
    PersonSearchForm,
    SaveAnywayForm,
    SessionForm,
)
from app.organiser.timeline import day_timelines
from app.report import services as report_services
from app.transaction import use_case

#: Everything the agenda editor shows, in a fixed number of queries whatever the size of the agenda.
AGENDA_OPTIONS = (
    selectinload(Event.organisers),
    selectinload(Event.sessions)
    .selectinload(EventSession.items)
    .selectinload(AgendaItem.appearances)
    .joinedload(Appearance.person),
)

STATUS_MESSAGES = {
    "published": _l("The event is published: it is on the public site and in the calendar feed."),
    "draft": _l("The event is a draft again: the public no longer sees it."),
    "cancelled": _l("The event is marked cancelled."),
}


# --- events -------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    return render_template(
        "organiser/index.html",
        events=accounts.managed_events(current_user),
        noted_events=report_services.rapporteur_events(current_user),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
@keeps_input
def event_new():
    form, warnings = EventForm(), []
    if form.validate_on_submit() and not needs_confirmation(form, bool(warnings := _event_past(form)), *_days(form)):
        try:
            with use_case():
                event = agenda.create_event(by=current_user, now=now(), **form_fields(form, agenda.EVENT_FIELDS))
        except agenda.SlugTaken as error:
            form.slug.errors.append(error.message)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("“%(title)s” is created as a draft.", title=event.title), "success")
            return redirect(url_for("organiser.event_detail", event_id=event.id))
    return render_template("organiser/event_form.html", form=form, event=None, warnings=warnings)


def _days(form: EventForm) -> tuple:
    return form.starts_on.data, form.ends_on.data, form.timezone.data


def _event_past(form: EventForm, event: Event | None = None) -> list:
    """A warning when the event would end in the past, unless an edit leaves its days as they were."""
    if event is not None and _days(form) == (event.starts_on, event.ends_on, event.timezone):
        return []
    return agenda.past_date_warnings(_("The event"), now=now(), timezone=form.timezone.data, ends_on=form.ends_on.data)


@bp.get("/events/<int:event_id>/")
@login_required
def event_detail(event_id: int):
    event = event_or_404(event_id, *AGENDA_OPTIONS)
    warnings = check_timeline(event)
    flagged = {item_id for w in warnings for item_id in w.item_ids}
    return render_template(
        "organiser/event_detail.html",
        event=event,
        warnings=warnings,
        days=day_timelines(event, flagged),
        flagged=flagged,
        room_clashes={session_id for w in warnings for session_id in w.session_ids},
        action_form=ConfirmForm(),
        # Only a draft can be deleted: asking why costs queries for drafts alone.
        deletion_refusals=agenda.event_deletion_refusals(event) if event.status == EventStatus.DRAFT else ["—"],
        registered=agenda.sessions_with_registrations(event),
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def event_edit(event_id: int):
    event = event_or_404(event_id)
    form, warnings = EventForm(obj=event), []
    if form.validate_on_submit() and not needs_confirmation(
        form, bool(warnings := _event_past(form, event)), *_days(form)
    ):
        try:
            with use_case():
                agenda.update_event(event, by=current_user, now=now(), **form_fields(form, agenda.EVENT_FIELDS))
        except agenda.SlugTaken as error:
            form.slug.errors.append(error.message)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("The event is saved."), "success")
            return redirect(url_for("organiser.event_detail", event_id=event.id))
    return render_template("organiser/event_form.html", form=form, event=event, warnings=warnings)


@bp.post("/events/<int:event_id>/status/<status>")
@login_required
def event_status(event_id: int, status: str):
    event = event_or_404(event_id)
    if status not in STATUS_MESSAGES:
        abort(400)
    check_confirm_form()
    if status in CONFIRMED_ELSEWHERE:
        # Back to draft and cancelling ask first: a button posting here only opens the page that asks.
        return redirect(url_for(CONFIRMED_ELSEWHERE[status], event_id=event.id), 303)
    apply(
        lambda: agenda.set_event_status(event, EventStatus(status), by=current_user, now=now()),
        lambda _done: str(STATUS_MESSAGES[status]),
    )
    return redirect(url_for("organiser.event_detail", event_id=event.id))


#: What each slot's line on the publish step says publishing sends.
PUBLISH_SENDS = {
    reach.ADDED: _l("invite"),
    reach.MOVED: _l("update: the time changed"),
    reach.CHANGED: _l("update: the details changed"),
    reach.CANCELLED: _l("cancellation"),
    None: _l("nothing: unchanged since they were told"),
}


def _publish_key(told: reach.PublishReach, warnings: list) -> tuple:
    """What the organiser saw: publishing goes ahead only while it is still what publishing would do."""
    slots = [(p.address, s.item_title, s.change, s.starts_at) for p in told.told for s in p.slots]
    return (slots, [p.name for p in told.not_told], [w.message for w in warnings])


@bp.route("/events/<int:event_id>/publish", methods=["GET", "POST"])
@login_required
def event_publish(event_id: int):
    """The publish step: who will be emailed what, who cannot be, the timeline's warnings; then publish."""
    event = event_or_404(event_id, *AGENDA_OPTIONS)
    if event.status == EventStatus.PUBLISHED:
        if request.method == "POST":
            flash(_("The event is already published."), "info")
            return redirect(url_for("organiser.event_detail", event_id=event.id))
        return render_template("organiser/publish.html", event=event, already=True)
    told, warnings = reach.who_is_told_of_publishing(event), check_timeline(event)
    form, notice = SaveAnywayForm(), None
    if not form.validate_on_submit():
        needs_confirmation(form, True, *_publish_key(told, warnings))
    elif needs_confirmation(form, True, *_publish_key(told, warnings)):
        notice = _("The programme changed since this page was opened. Check who is told again, then publish.")
    elif apply(
        lambda: agenda.publish_event(event, by=current_user, now=now()),
        lambda _done: (
            str(STATUS_MESSAGES["published"])
            + (
                " "
                + _(
                    "%(emails)s to %(people)s queued.",
                    emails=ngettext("%(num)d email", "%(num)d emails", told.emails),
                    people=ngettext("%(num)d person", "%(num)d people", told.people),
                )
                if told.emails
                else ""
            )
        ),
    ):
        return redirect(url_for("organiser.event_detail", event_id=event.id))
    return render_template(
        "organiser/publish.html",
        event=event,
        told=told,
        warnings=warnings,
        form=form,
        notice=notice,
        sends=PUBLISH_SENDS,
        role_label=reach.role_label,
    )


#: The changes of status that have a page of their own saying what follows, and act only from it.
CONFIRMED_ELSEWHERE = {"draft": "organiser.event_unpublish", "cancelled": "organiser.event_cancel"}


@bp.route("/events/<int:event_id>/back-to-draft", methods=["GET", "POST"])
@login_required
def event_unpublish(event_id: int):
    """Ask before taking a live event off the public site, saying what disappears and that nobody is told."""
    event = event_or_404(event_id)
    form = ConfirmForm()
    if event.status == EventStatus.PUBLISHED and form.validate_on_submit():
        apply(
            lambda: agenda.set_event_status(event, EventStatus.DRAFT, by=current_user, now=now()),
            lambda _done: str(STATUS_MESSAGES["draft"]),
        )
        return redirect(url_for("organiser.event_detail", event_id=event_id))
    return render_template(
        "organiser/event_unpublish_confirm.html", event=event, form=form, held=agenda.registrations_held(event)
    )


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@login_required
def event_cancel(event_id: int):
    """Ask before marking the event cancelled, saying what changes and that this by itself emails nobody."""
    event = event_or_404(event_id)
    form = ConfirmForm()
    if event.status != EventStatus.CANCELLED and form.validate_on_submit():
        apply(
            lambda: agenda.set_event_status(event, EventStatus.CANCELLED, by=current_user, now=now()),
            lambda _done: str(STATUS_MESSAGES["cancelled"]),
        )
        return redirect(url_for("organiser.event_detail", event_id=event_id))
    sessions = [(s, reach.who_is_told_of_cancellation(s)) for s in event.sessions if not s.is_cancelled]
    return render_template(
        "organiser/event_cancel_confirm.html",
        event=event,
        form=form,
        sessions=sessions,
        held=agenda.registrations_held(event),
    )


@bp.route("/events/<int:event_id>/delete", methods=["GET", "POST"])
@login_required
def event_delete(event_id: int):
    """Delete a draft nothing depends on, after a page saying what goes with it (or why it cannot go)."""
    event = event_or_404(event_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title, files = event.title, materials.stored_names_under(event=event)
        if apply(
            lambda: agenda.delete_event(event, by=current_user, now=now()),
            lambda _done: _("The draft “%(title)s” is deleted.", title=title),
        ):
            storage.discard_all(files)
            return redirect(url_for("organiser.index"))
        return redirect(url_for("organiser.event_delete", event_id=event_id))
    return render_template(
        "organiser/event_delete.html",
        event=event,
        form=form,
        refusals=agenda.event_deletion_refusals(event),
        items=sum(len(s.items) for s in event.sessions),
        files=len(materials.stored_names_under(event=event)),
    )


# --- sessions -----------------------------------------------------------------------------------


def _session_values(event: Event, form: SessionForm) -> dict:
    values = form_fields(
        form,
        ("title", "description", "location", "is_online", "registration_enabled", "waitlist_enabled", "capacity"),
    )
    values |= form_fields(form, agenda.FRENCH_FIELDS)
    values["join_url"] = form.join_url.data or None
    values["starts_at"] = local(event, form.day.data, form.starts.data)
    values["ends_at"] = local(event, form.day.data, form.ends.data)
    values["registration_opens_at"] = local_or_none(event, form.registration_opens_at.data)
    values["registration_closes_at"] = local_or_none(event, form.registration_closes_at.data)
    return values


@bp.route("/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@login_required
@keeps_input
def session_new(event_id: int):
    event = event_or_404(event_id)
    form, warnings = SessionForm(), []
    if request.method == "GET":
        form.day.data = event.starts_on
    if form.validate_on_submit():
        values = _session_values(event, form)
        # The same room check as an edit, and a date in the past: warnings shown above the form, saved anyway.
        warnings = new_session_room_clashes(
            event,
            title=values["title"],
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            location=values["location"],
        ) + _session_past(event, values)
        key = (values["starts_at"], values["ends_at"], values["location"])
        if not needs_confirmation(form, bool(warnings), *key) and apply(
            lambda: agenda.create_session(event, by=current_user, now=now(), **values),
            lambda created: _("The session “%(title)s” is added.", title=created.title),
        ):
            return redirect(url_for("organiser.event_detail", event_id=event.id))
    return render_template("organiser/session_form.html", form=form, event=event, event_session=None, warnings=warnings)


def _session_past(event: Event, values: dict, event_session: EventSession | None = None) -> list:
    """A warning when the session would end in the past, unless an edit leaves its times as they were."""
    if event_session is not None and (values["starts_at"], values["ends_at"]) == (
        event_session.starts_at,
        event_session.ends_at,
    ):
        return []
    return agenda.past_date_warnings(
        _("The session"), now=now(), timezone=event.timezone, starts_at=values["starts_at"], ends_at=values["ends_at"]
    )


def _fill_session_form(form: SessionForm, event_session: EventSession) -> None:
    """The session's times as the event's wall clock shows them."""
    zone = event_session.event.timezone
    start = timeutil.to_zone(event_session.starts_at, zone)
    form.day.data, form.starts.data = start.date(), start.time()
    form.ends.data = timeutil.to_zone(event_session.ends_at, zone).time()
    for name in ("registration_opens_at", "registration_closes_at"):
        value = getattr(event_session, name)
        getattr(form, name).data = timeutil.to_zone(value, zone).replace(tzinfo=None) if value else None


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def session_edit(session_id: int):
    event_session = session_or_404(session_id)
    event = event_session.event
    form = SessionForm(obj=event_session)
    if request.method == "GET":
        _fill_session_form(form, event_session)
    notice, warnings = None, []
    if event_session.is_cancelled and request.method == "POST":
        # Nothing of a called-off session changes here any more: the page says what is left.
        flash(SessionCancelled().message, "danger")
    elif form.validate_on_submit():
        values = _session_values(event, form)
        told = reach.who_is_told(event_session, move_items=form.move_items.data, **values)
        warnings = session_room_clashes(
            event_session,
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            location=values["location"],
            move_items=form.move_items.data,
        ) + _session_past(event, values, event_session)
        key = (
            values["starts_at"],
            values["ends_at"],
            values["join_url"],
            form.move_items.data,
            values["location"],
            values.get("capacity"),
        )
        # Room clashes are shown above the form; what saving would send, in the notice.
        if needs_confirmation(form, told.anyone or bool(warnings), *key):
            if told.confirmed or told.waitlisted or told.speakers:
                confirmed = ngettext("%(num)d confirmed attendee", "%(num)d confirmed attendees", told.confirmed)
                speakers = ngettext("%(num)d speaker", "%(num)d speakers", told.speakers)
                if told.waitlisted:
                    notice = _(
                        "Saving sends an updated calendar invite to %(confirmed)s, a note of the move to "
                        "%(waitlisted)d on the waiting list, and %(speakers)s. Save again to go ahead.",
                        confirmed=confirmed,
                        waitlisted=told.waitlisted,
                        speakers=speakers,
                    )
                else:
                    notice = _(
                        "Saving sends an updated calendar invite to %(confirmed)s and %(speakers)s. "
                        "Save again to go ahead.",
                        confirmed=confirmed,
                        speakers=speakers,
                    )
            if told.promoted:
                promoted = ngettext(
                    "The new capacity gives a seat to %(num)d person on the waiting list, who gets an invite.",
                    "The new capacity gives a seat to %(num)d people on the waiting list, who each get an invite.",
                    told.promoted,
                )
                notice = f"{promoted} {notice}" if notice else f"{promoted} {_('Save again to go ahead.')}"
        elif apply(
            lambda: agenda.update_session(
                event_session, by=current_user, now=now(), move_items=form.move_items.data, **values
            ),
            lambda _done: (
                _("The session is saved.")
                + (
                    " "
                    + _(
                        "%(attendees)s and %(speakers)s will be told.",
                        attendees=ngettext(
                            "%(num)d attendee", "%(num)d attendees", told.confirmed + told.waitlisted + told.promoted
                        ),
                        speakers=ngettext("%(num)d speaker", "%(num)d speakers", told.speakers),
                    )
                    if told.anyone
                    else ""
                )
            ),
        ):
            return redirect(url_for("organiser.event_detail", event_id=event.id))
    return render_template(
        "organiser/session_form.html",
        form=form,
        event=event,
        event_session=event_session,
        notice=notice,
        warnings=warnings,
    )


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
@keeps_input
def session_cancel(session_id: int):
    event_session = session_or_404(session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        apply(
            lambda: agenda.cancel_session(event_session, reason=form.reason.data or "", by=current_user, now=now()),
            lambda _done: _("“%(title)s” is cancelled; the attendees are being told.", title=event_session.title),
        )
        return redirect(url_for("organiser.event_detail", event_id=event_session.event_id))
    return render_template(
        "organiser/session_cancel.html",
        form=form,
        event=event_session.event,
        event_session=event_session,
        reach=reach.who_is_told_of_cancellation(event_session),
    )


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@login_required
def session_delete(session_id: int):
    """Delete a session nobody registered for, after a page saying what goes with it (or why it cannot go)."""
    event_session = session_or_404(session_id)
    event = event_session.event
    form = ConfirmForm()
    if form.validate_on_submit():
        title, files = event_session.title, materials.stored_names_under(session=event_session)
        if apply(
            lambda: agenda.delete_session(event_session, by=current_user, now=now()),
            lambda _done: _("The session “%(title)s” is deleted with its items.", title=title),
        ):
            storage.discard_all(files)
            return redirect(url_for("organiser.event_detail", event_id=event.id))
        return redirect(url_for("organiser.session_delete", session_id=session_id))
    return render_template(
        "organiser/session_delete.html",
        form=form,
        event=event,
        event_session=event_session,
        refusals=agenda.session_deletion_refusals(event_session),
        told=0 if event_session.is_cancelled else len(reach.appearances_to_tell(list(event_session.items))),
        files=len(materials.stored_names_under(session=event_session)),
    )


# --- agenda items -------------------------------------------------------------------------------


def _item_values(event_session: EventSession, form: ItemForm) -> dict:
    """The item's fields from the form; its times are on the session's day, on the event's wall clock."""
    day = timeutil.to_zone(event_session.starts_at, event_session.event.timezone).date()
    return {
        **form_fields(form, ("title", "description", "location", *agenda.FRENCH_FIELDS)),
        "kind": ItemKind(form.kind.data),
        "starts_at": local(event_session.event, day, form.starts.data),
        "ends_at": local(event_session.event, day, form.ends.data),
    }


def _fill_item_form(form: ItemForm, item: AgendaItem) -> None:
    zone = item.session.event.timezone
    form.starts.data = timeutil.to_zone(item.starts_at, zone).time()
    form.ends.data = timeutil.to_zone(item.ends_at, zone).time()
    form.kind.data = item.kind.value


def _item_saved(later: int, speakers: int) -> str:
    return (
        _("The item is saved.")
        + (
            " " + ngettext("%(num)d later item moved with it.", "%(num)d later items moved with it.", later)
            if later
            else ""
        )
        + (
            " "
            + ngettext("%(num)d speaker gets an updated invite.", "%(num)d speakers get an updated invite.", speakers)
            if speakers
            else ""
        )
    )


@bp.route("/sessions/<int:session_id>/items/new", methods=["GET", "POST"])
@login_required
@keeps_input
def item_new(session_id: int):
    event_session = session_or_404(session_id)
    form, warnings = ItemForm(), []
    if request.method == "GET":
        last_end = max((i.ends_at for i in event_session.items), default=event_session.starts_at)
        form.starts.data = timeutil.to_zone(last_end, event_session.event.timezone).time()
    if form.validate_on_submit():
        values = _item_values(event_session, form)
        warnings = check_timeline(event_session.event, new_item={"session": event_session, **values})
        key = (values["starts_at"], values["ends_at"], values["location"])
        if not needs_confirmation(form, bool(warnings), *key):
            try:
                with use_case():
                    item = agenda.create_item(event_session, by=current_user, now=now(), **values)
            except DomainError as error:
                flash(error.message, "danger")
            else:
                flash(_("“%(title)s” is added. Add the people who appear in it below.", title=item.title), "success")
                return redirect(url_for("organiser.item_edit", item_id=item.id))
    return render_template(
        "organiser/item_form.html",
        form=form,
        event=event_session.event,
        event_session=event_session,
        item=None,
        warnings=warnings,
    )


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def item_edit(item_id: int):
    item = item_or_404(item_id)
    event_session, event = item.session, item.session.event
    form, warnings, speakers = ItemForm(obj=item), [], 0
    search_form = PersonSearchForm(request.args)
    if not search_form.validate():
        search_form.q.data = ""
    if request.method == "GET":
        _fill_item_form(form, item)
    if event_session.is_cancelled and request.method == "POST":
        # The items of a called-off session stay as they were: the page says so and shows no form.
        flash(agenda.ItemOfCancelledSession().message, "danger")
    elif form.validate_on_submit():
        values, shift_later = _item_values(event_session, form), form.shift_later.data
        plan = agenda.plan_item_change(item, values["starts_at"], values["ends_at"], shift_later=shift_later)
        speakers = reach.who_is_told_of_items(list(event_session.items), plan).speakers
        warnings = check_timeline(event, changes=plan, locations={item.id: values["location"]})
        warned = bool(warnings or speakers)
        key = (values["starts_at"], values["ends_at"], values["location"], shift_later)
        if not needs_confirmation(form, warned, *key) and apply(
            lambda: agenda.update_item(item, by=current_user, now=now(), shift_later=shift_later, **values),
            lambda _done: _item_saved(len(plan) - 1, speakers),
        ):
            return redirect(url_for("organiser.event_detail", event_id=event.id))
    appearance_form = _appearance_form(
        event, search=search_form.q.data or "", chosen=request.args.get("person", type=int)
    )
    return _item_page(item, form, appearance_form, search_form, warnings=warnings, speakers=speakers)


def _item_page(item: AgendaItem, form: ItemForm, appearance_form: AppearanceForm, search_form, **shown) -> str:
    """The item's page: its form, its people and the picker that adds one."""
    return render_template(
        "organiser/item_form.html",
        form=form,
        event=item.session.event,
        event_session=item.session,
        item=item,
        appearance_form=appearance_form,
        search_form=search_form,
        action_form=ConfirmForm(),
        **{"warnings": [], "speakers": 0, **shown},
    )


@bp.post("/items/<int:item_id>/move/<direction>")
@login_required
def item_move(item_id: int, direction: str):
    item = item_or_404(item_id)
    check_confirm_form()
    apply(
        lambda: agenda.reorder_item(item, direction, by=current_user, now=now()),
        lambda _done: (
            _("“%(title)s” moved up.", title=item.title)
            if direction == "up"
            else _("“%(title)s” moved down.", title=item.title)
        ),
        refused="warning",
    )
    return redirect(url_for("organiser.event_detail", event_id=item.session.event_id))


@bp.route("/items/<int:item_id>/delete", methods=["GET", "POST"])
@login_required
def item_delete(item_id: int):
    """Remove an item, after a page saying who appears in it and who is told."""
    item = item_or_404(item_id)
    event_session = item.session
    event_id, title = event_session.event_id, item.title
    form = ConfirmForm()
    if form.validate_on_submit():
        files = materials.stored_names_under(item=item)
        if apply(
            lambda: agenda.delete_item(item, by=current_user, now=now()),
            lambda _done: _("“%(title)s” is removed from the agenda.", title=title),
        ):
            storage.discard_all(files)
            return redirect(url_for("organiser.event_detail", event_id=event_id))
        return redirect(url_for("organiser.item_delete", item_id=item_id))
    return render_template(
        "organiser/item_delete.html",
        form=form,
        event=event_session.event,
        event_session=event_session,
        item=item,
        told=len(reach.appearances_to_tell([item])),
        files=len(materials.stored_names_under(item=item)),
        following=agenda.sessions_following_up(item),
    )


# --- appearances --------------------------------------------------------------------------------


def _person_label(person: Person) -> str:
    return f"{person.display_name}{' — ' + person.affiliation if person.affiliation else ''}"


def _appearance_form(event: Event, *, search: str = "", chosen: int | None = None) -> AppearanceForm:
    """The picker offers this event's people and, as copies, the people of the organiser's other events, sorted
    by surname, those matching `search` only; nobody is chosen unless `chosen` is one of this event's people
    (the person just added from this item)."""
    form = AppearanceForm()
    pick = agenda.people_to_pick(event, by=current_user, search=search)
    own, others = _("People of this event"), _("From your other events (a copy is added to this event)")
    choices = [SelectChoice(p.id, _person_label(p), optgroup=own) for p in pick.own] + [
        SelectChoice(
            p.id, _("%(person)s (copy from “%(event)s”)", person=_person_label(p), event=p.event.title), optgroup=others
        )
        for p in pick.others
    ]
    form.person_id.choices = [SelectChoice("", _("Choose a person")), *choices] if choices else []
    if chosen is not None and not request.form and any(p.id == chosen for p in pick.own):
        form.person_id.data = chosen
    return form


def _double_bookings(item: AgendaItem, person: Person) -> list:
    """The timeline's warnings that putting the person in the item makes them be in two places at once."""
    warnings = check_timeline(
        item.session.event, changes={item.id: (item.starts_at, item.ends_at)}, add_people={item.id: {person.id}}
    )
    return [w for w in warnings if w.kind == "double_booked"]


def _person_added(item: AgendaItem, person: Person, *, copied_from: str | None) -> str:
    copy = " " + _("A copy of their details from “%(event)s” is now among the people of this event.", event=copied_from)
    invite = " " + _("They get an invite for this slot by email.")
    told = person.email and item.session.event.status == EventStatus.PUBLISHED
    added = _("%(name)s is added to “%(title)s”.", name=person.display_name, title=item.title)
    return added + (copy if copied_from else "") + (invite if told else "")


@bp.post("/items/<int:item_id>/appearances")
@login_required
@keeps_input
def appearance_add(item_id: int):
    item = item_or_404(item_id)
    event = item.session.event
    form = _appearance_form(event)
    if not form.validate_on_submit():
        # The item's page again, the picker's choice kept and its problem next to it.
        item_form = ItemForm(formdata=None, obj=item)
        _fill_item_form(item_form, item)
        return _item_page(item, item_form, form, PersonSearchForm(formdata=None)), 400
    # One of the choices: a person of this event, or of another event this organiser manages.
    person = db.session.get_one(Person, form.person_id.data)
    warnings = _double_bookings(item, person)
    if needs_confirmation(form, bool(warnings), item.id, person.id):
        return render_template(
            "organiser/appearance_confirm.html", form=form, event=event, item=item, person=person, warnings=warnings
        )
    copied_from = person.event.title if person.event_id != event.id else None
    apply(
        lambda: agenda.add_appearance(item, person, Role(form.role.data), by=current_user, now=now()),
        lambda _done: _person_added(item, person, copied_from=copied_from),
    )
    return redirect(url_for("organiser.item_edit", item_id=item.id))


@bp.post("/appearances/<int:appearance_id>/delete")
@login_required
def appearance_remove(appearance_id: int):
    appearance = db.session.get(Appearance, appearance_id)
    if appearance is None:
        abort(404)
    item = item_or_404(appearance.item_id)
    check_confirm_form()
    name = appearance.person.display_name
    apply(
        lambda: agenda.remove_appearance(appearance, by=current_user, now=now()),
        lambda _done: _("%(name)s is taken out of “%(title)s”.", name=name, title=item.title),
    )
    return redirect(url_for("organiser.item_edit", item_id=item.id))
