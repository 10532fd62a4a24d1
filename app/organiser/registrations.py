"""The registrations of a session: the list and its CSV, giving a seat or cancelling, a person's data and its
erasure, the capacity, a message to the registrants."""

import secrets

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf as csrf_token
from markupsafe import Markup

from app.errors import DomainError
from app.extensions import db
from app.forms import form_problems, keeps_input
from app.i18n import current_language
from app.models import EventSession
from app.organiser.common import apply, bp, now, registration_or_404, session_or_404
from app.organiser.forms import CapacityForm, ConfirmForm, MessageForm, RegistrationFilterForm
from app.privacy import services as privacy
from app.registration import listing
from app.registration import services as registration_services
from app.render_cache import render_cache
from app.transaction import use_case
from app.web import reads_only

#: Stands for the visitor's CSRF token in a kept rendering of the list (random: no attendee can type it).
_CSRF_MARK = f"csrf-{secrets.token_hex(16)}"


def _filters() -> tuple[RegistrationFilterForm, dict]:
    """The list's filter form from the query string, and the filters to search with."""
    form = RegistrationFilterForm(request.args)
    form.validate()
    return form, {
        "status": form.status.data or None,
        "group": form.group.data or None,
        "search": "" if form.q.errors else form.q.data or "",
    }


@bp.get("/sessions/<int:session_id>/registrations/")
@login_required
@reads_only
def registrations_list(session_id: int):
    event_session = session_or_404(session_id)
    parts = _registrations_page(event_session)
    # Everything the page shows is loaded: end the transaction before writing the page, so that the
    # connection (on SQLite, the database lock every transaction takes) is not held while it is written.
    db.session.close()
    return render_template(
        "organiser/registrations.html",
        event=event_session.event,
        event_session=event_session,
        body=Markup(csrf_token()).join(parts),
    )


def _registrations_page(event_session: EventSession) -> tuple[Markup, ...]:
    """The list's page, rendered once for each version of what it shows and kept, in pieces around the
    places where the visitor's CSRF token goes.

    The database raises the session's `registrations_version` with every registration added, removed or
    changed in a column the list shows (triggers); the session's and the event's `updated_at` follow every
    change to them (title, times, capacity, time zone), so a kept rendering is never stale. The query string
    completes the key. Permission is checked before: a kept page only ever goes to someone who may manage
    the session."""
    key = (
        "registrations-page",
        event_session.id,
        event_session.registrations_version,
        event_session.updated_at,
        event_session.event.updated_at,
        request.query_string,
        current_language(),
    )
    cache = render_cache()
    parts = cache.get(key)
    if parts is None:
        capacity_form = CapacityForm(capacity=event_session.capacity, meta={"csrf": False})
        html = _render_registrations_page(event_session, capacity_form, _CSRF_MARK)
        parts = tuple(Markup(part) for part in html.split(_CSRF_MARK))
        cache.put(key, parts)
    return parts


def _render_registrations_page(event_session: EventSession, capacity_form: CapacityForm, csrf: str, **extra) -> str:
    form, search = _filters()
    shown = listing.page_of_registrations(event_session, **search, page=request.args.get("page", 1, type=int))
    return render_template(
        "organiser/_registrations_page.html",
        event=event_session.event,
        event_session=event_session,
        form=form,
        shown=shown,
        counts=shown.counts,
        # What the page links (and the CSV link) carry over: the filters as typed, never the page number.
        filters={name: request.args[name] for name in ("status", "group", "q") if request.args.get(name)},
        labels=listing.labels(),
        capacity_form=capacity_form,
        csrf=csrf,
        # Each row's action is this prefix + "<id>/<action>": one url_for a page instead of one a button.
        action_prefix=url_for("organiser.registration_action", registration_id=0, action="confirm").removesuffix(
            "0/confirm"
        ),
        **extra,
    )


@bp.get("/sessions/<int:session_id>/registrations.csv")
@login_required
def registrations_export(session_id: int):
    event_session = session_or_404(session_id)
    _, search = _filters()
    found = listing.find_registrations(event_session, **search)
    # Accessibility needs are health data: in the file only when asked for (the list's second CSV link).
    needs = request.args.get("accessibility_needs") == "1"
    filename = f"registrations-{event_session.event.slug}-{event_session.id}.csv"
    return Response(
        listing.registrations_csv(event_session, found, accessibility_needs=needs),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


#: What each row's buttons do: the service, and what the organiser is told once it is done. Cancelling has a
#: page of its own that asks first (registration_cancel).
_ACTIONS = {
    "confirm": (registration_services.promote_registration, _l("%(name)s now has a seat; they are told.")),
}


@bp.post("/registrations/<int:registration_id>/<action>")
@login_required
def registration_action(registration_id: int, action: str):
    registration = registration_or_404(registration_id)
    if action not in _ACTIONS or not ConfirmForm().validate_on_submit():
        abort(400)
    service, done = _ACTIONS[action]
    apply(
        lambda: service(registration, by=current_user, now=now()),
        lambda _result: done % {"name": registration.full_name},
    )
    return redirect(url_for("organiser.registrations_list", session_id=registration.session_id))


@bp.route("/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
@login_required
def registration_cancel(registration_id: int):
    """Cancel a registration after a page naming the person and the session, saying who is told and who moves
    up; only that page's form cancels."""
    registration = registration_or_404(registration_id)
    event_session = registration.session
    form = ConfirmForm()
    if form.validate_on_submit():
        name, session_id = registration.full_name, registration.session_id
        apply(
            lambda: registration_services.cancel_registration(registration, by=current_user, now=now()),
            lambda _result: _("The registration of %(name)s is cancelled; they are told.", name=name),
        )
        return redirect(url_for("organiser.registrations_list", session_id=session_id))
    return render_template(
        "organiser/registration_cancel_confirm.html",
        event=event_session.event,
        event_session=event_session,
        registration=registration,
        form=form,
        refusal=registration_services.cancellation_refusal(registration),
        moves_up=registration_services.who_moves_up(registration),
    )


@bp.get("/registrations/<int:registration_id>/data.json")
@login_required
def registration_data(registration_id: int):
    """One person's data, the same file they can download from their private link (a request for access)."""
    registration = registration_or_404(registration_id)
    return Response(
        privacy.registration_json(registration, now=now()),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{privacy.data_file_name(registration)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/registrations/<int:registration_id>/erase", methods=["GET", "POST"])
@login_required
def registration_erase(registration_id: int):
    """Erase a registrant's data on their request, after a confirmation page."""
    registration = registration_or_404(registration_id)
    event_session = registration.session
    form = ConfirmForm()
    if form.validate_on_submit():
        name, session_id = registration.full_name, event_session.id
        apply(
            lambda: registration_services.erase_registration(registration, by=current_user, now=now()),
            lambda _result: _("The personal data of %(name)s's registration is erased; no email was sent.", name=name),
        )
        return redirect(url_for("organiser.registrations_list", session_id=session_id))
    return render_template(
        "organiser/registration_erase.html",
        event=event_session.event,
        event_session=event_session,
        registration=registration,
        form=form,
    )


@bp.post("/sessions/<int:session_id>/capacity")
@login_required
@keeps_input
def session_capacity(session_id: int):
    """Changes the capacity; a capacity refused (not a whole number, or a rule of the service) gives the
    registrations page back, uncached, with the typed value and the reason next to the field."""
    event_session = session_or_404(session_id)
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            with use_case():
                promoted = registration_services.change_capacity(
                    event_session, form.capacity.data, by=current_user, now=now()
                )
        except DomainError as error:
            form.capacity.errors.append(error.message)
        else:
            message = _("The capacity is changed; %(count)s moved up from the waiting list.", count=len(promoted))
            flash(message, "success")
            return redirect(url_for("organiser.registrations_list", session_id=session_id))
    elif form.capacity.errors:
        form.capacity.errors[:] = [_("The capacity must be a whole number of 0 or more, or empty for no limit.")]
    problems = form_problems(form)
    body = _render_registrations_page(event_session, form, csrf_token(), page_problems=problems)
    page = render_template(
        "organiser/registrations.html",
        event=event_session.event,
        event_session=event_session,
        body=Markup(body),
        page_problems=problems,
    )
    return page, 400


@bp.route("/sessions/<int:session_id>/message", methods=["GET", "POST"])
@login_required
@keeps_input
def session_message(session_id: int):
    """Write a message to the session's confirmed attendees or waiting list: "Preview" shows it as the first
    of them will get it, "Send me a test" sends that copy to the signed-in organiser alone (the page keeps
    what was written), "Send" sends it to every one of them."""
    event_session = session_or_404(session_id)
    form, preview = MessageForm(), None
    if form.validate_on_submit():
        values = dict(audience=form.audience.data, subject=form.subject.data, body=form.body.data)
        if form.preview.data or form.test.data:
            try:
                preview = listing.preview_message(event_session, **values)
            except DomainError as error:
                form.body.errors.append(error.message)
            if preview and form.test.data:
                apply(
                    lambda: listing.send_test_message(event_session, **values, by=current_user, now=now()),
                    lambda _result: _(
                        "A test copy is on its way to you at %(address)s. Nobody else got it.",
                        address=current_user.email,
                    ),
                )
        elif apply(
            lambda: listing.message_registrants(event_session, **values, by=current_user, now=now()),
            lambda sent: ngettext(
                "The message is queued for %(num)d attendee.", "The message is queued for %(num)d attendees.", sent
            ),
        ):
            return redirect(url_for("organiser.registrations_list", session_id=session_id))
    return render_template(
        "organiser/message.html",
        form=form,
        preview=preview,
        event=event_session.event,
        event_session=event_session,
        counts=listing.status_counts(event_session),
    )
