"""The people of an event: speakers, moderators and others who appear in its agenda."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.agenda import services as agenda
from app.errors import DomainError
from app.organiser.common import apply, bp, check_confirm_form, event_or_404, form_fields, now, person_or_404
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
        lambda _: f"A sign-in link for the speaker pages is on its way to {person.email}.",
    )
    return redirect(url_for("organiser.people", event_id=event.id))


@bp.route("/events/<int:event_id>/people/new", methods=["GET", "POST"])
@login_required
def person_new(event_id: int):
    event = event_or_404(event_id)
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
            flash(f"{person.display_name} is added. Put them in an agenda item from the item's page.", "success")
            return redirect(url_for("organiser.people", event_id=event.id))
    return render_template("organiser/person_form.html", form=form, event=event, person=None)


@bp.route("/events/<int:event_id>/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
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
            flash(f"{person.display_name} is saved.", "success")
            return redirect(url_for("organiser.people", event_id=event.id))
    return render_template("organiser/person_form.html", form=form, event=event, person=person)
