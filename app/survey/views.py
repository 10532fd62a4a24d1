"""An attendee answers the survey of their session through their private link."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.errors import DomainError, InvalidToken
from app.forms import keeps_input
from app.models import utcnow
from app.registration import services as registrations
from app.survey import services
from app.survey.forms import answer_form, answers_of
from app.transaction import use_case

bp = Blueprint("survey", __name__)


@bp.route("/registrations/<token>/survey", methods=["GET", "POST"])
@keeps_input
def answer(token: str):
    """The survey with the attendee's answers so far; refused (a message, nothing saved) for anyone who may not
    answer now: not an attendee, cancelled, before the session ends, after the survey closed."""
    try:
        registration = registrations.find_by_token(token)
    except InvalidToken:
        abort(404)
    session = registration.session
    survey = services.survey_of(session)
    refusal = services.answer_refusal(registration, survey, now=utcnow())
    given = services.find_answer(registration)
    form = answer_form(survey, data=_answers_data(given) if request.method == "GET" and given else None)
    # Validated even when refused: an expired form is told so like everywhere else (app.forms.PlainForm).
    if form.validate_on_submit() and refusal is None:
        try:
            with use_case():
                services.answer_survey(
                    registration, rating=form.rating.data, answers=answers_of(form, survey), now=utcnow()
                )
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Thank you: your answers are saved. You can change them until the survey closes."), "success")
            return redirect(url_for("survey.answer", token=token))
    if refusal is not None:
        status = 403 if request.method == "POST" else 200
    else:
        status = 422 if form.errors or form.form_errors else 200
    page = render_template(
        "survey/answer.html",
        registration=registration,
        session=session,
        event=session.event,
        survey=survey,
        form=form,
        refusal=refusal,
        given=given,
        token=token,
        shown_prompt=services.shown_prompt,
    )
    return page, status


def _answers_data(given) -> dict:
    return {"rating": given.rating, **{f"q{n}": given.answer(n) for n in (1, 2, 3)}}
