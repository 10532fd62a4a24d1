"""The people of an event: speakers, moderators and others who appear in its agenda."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.agenda import services as agenda
from app.errors import DomainError
from app.forms import keeps_input
from app.models import AgendaItem, Event
from app.organiser.common import (
    apply,
    bp,
    check_confirm_form,
    event_or_404,
    form_fields,
    item_or_404,
    now,
    person_or_404,
)
from app.organiser.forms import ConfirmForm, PersonForm
from app.speakers import services as speaker_services
from app.transaction import use_case


@bp.get("/events/<int:event_id>/people/")
@login_required
def people(event_id: int):
    event = event_or_404(event_id)
    return render_template(
        "organiser/people.html", event=event, people=agenda.people_of_event(event), action_form=ConfirmForm()
    )


@bp.post("/events/<int:event_id>/people/<int:person_id>/send-link")
@login_required
def person_send_link(event_id: int, person_id: int):
    event = event_or_404(event_id)
    person = person_or_404(event, person_id)
    check_confirm_form()
    apply(
        lambda: speaker_services.send_sign_in_link(person, by=current_user, now=now()),
        lambda _done: _("A sign-in link for the speaker pages is on its way to %(email)s.", email=person.email),
    )
    return redirect(url_for("organiser.people", event_id=event.id))


@bp.route("/events/<int:event_id>/people/new", methods=["GET", "POST"])
@login_required
@keeps_input
def person_new(event_id: int):
    """Adds a person to the event. From an item's page (`?item=<id>`, an item of this event only) it goes back
    to that item with the new person chosen in its picker; the way back is built here, never read from the
    request, so no link can send the organiser elsewhere."""
    event = event_or_404(event_id)
    item = _item_of_event(event, request.args.get("item", type=int))
    form = PersonForm()
    if form.validate_on_submit():
        try:
            with use_case():
                person = agenda.create_person(
                    event, by=current_user, now=now(), **form_fields(form, agenda.PERSON_FIELDS)
                )
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            if item is not None:
                flash(
                    _(
                        "%(name)s is added to the people of this event. Choose their role and add them to “%(title)s”.",
                        name=person.display_name,
                        title=item.title,
                    ),
                    "success",
                )
                return redirect(url_for("organiser.item_edit", item_id=item.id, person=person.id, _anchor="people"))
            flash(
                _("%(name)s is added. Put them in an agenda item from the item's page.", name=person.display_name),
                "success",
            )
            return redirect(url_for("organiser.people", event_id=event.id))
    return render_template("organiser/person_form.html", form=form, event=event, person=None, item=item)


def _item_of_event(event: Event, item_id: int | None) -> AgendaItem | None:
    """The item to go back to: one of this event's, else 404 (an id of another event or organiser)."""
    if item_id is None:
        return None
    item = item_or_404(item_id)
    if item.session.event_id != event.id:
        abort(404)
    return item


@bp.route("/events/<int:event_id>/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def person_edit(event_id: int, person_id: int):
    event = event_or_404(event_id)
    person = person_or_404(event, person_id)
    form = PersonForm(obj=person)
    if form.validate_on_submit():
        try:
            with use_case():
                agenda.update_person(person, by=current_user, now=now(), **form_fields(form, agenda.PERSON_FIELDS))
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            flash(_("%(name)s is saved.", name=person.display_name), "success")
            return redirect(url_for("organiser.people", event_id=event.id))
    return render_template("organiser/person_form.html", form=form, event=event, person=person)
