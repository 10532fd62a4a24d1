"""After a session: the follow-up message (its preview, who gets which, the send), and the survey (its questions,
its results, their CSV)."""

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import timeutil
from app.followup import services as followup
from app.forms import keeps_input
from app.mail.outbox import with_links
from app.models import QuestionKind
from app.models.survey import MAX_QUESTIONS
from app.organiser.common import apply, bp, check_confirm_form, local, now, session_or_404
from app.organiser.forms import ConfirmForm
from app.survey import services as survey
from app.survey.forms import settings_form


@bp.route("/sessions/<int:session_id>/follow-up", methods=["GET", "POST"])
@login_required
def follow_up(session_id: int):
    """The follow-up's page: both messages as they will read, who gets which, and Send (to those not yet
    followed up: a second send reaches only people added since, e.g. by a later attendance import)."""
    event_session = session_or_404(session_id)
    if request.method == "POST":
        check_confirm_form()
        apply(
            lambda: followup.send_follow_up(event_session, by=current_user, now=now()),
            lambda sent: ngettext(
                "The follow-up is on its way to %(num)d person: %(thanks)d thank-you, %(sorry)d sorry we missed you.",
                "The follow-up is on its way to %(num)d people: %(thanks)d thank-you, %(sorry)d sorry we missed you.",
                sent.total,
                thanks=sent.thanked,
                sorry=sent.told_sorry,
            ),
        )
        return redirect(url_for("organiser.follow_up", session_id=session_id))
    plan = followup.follow_up_plan(event_session, now=now())
    preview = followup.preview_follow_up(plan, now=now()) if plan.refusal is None else None
    return render_template(
        "organiser/follow_up.html",
        event=event_session.event,
        event_session=event_session,
        plan=plan,
        preview=preview,
        shown=lambda html: with_links(html, ["#", "#"]),
        form=ConfirmForm(),
    )


@bp.route("/sessions/<int:session_id>/survey", methods=["GET", "POST"])
@login_required
@keeps_input
def survey_edit(session_id: int):
    """The survey's questions and closing time; once someone answered, only the closing time changes."""
    event_session = session_or_404(session_id)
    event = event_session.event
    current = survey.survey_of(event_session)
    form = settings_form(data=_settings_data(current, event.timezone) if request.method == "GET" else None)
    if form.validate_on_submit():
        questions = [
            survey.QuestionSpec(
                kind=form[f"kind_{n}"].data,
                prompt=form[f"prompt_{n}"].data or "",
                options=(form[f"options_{n}"].data or "").splitlines(),
            )
            for n in range(1, MAX_QUESTIONS + 1)
        ]
        closes_at = local(event, form.closes_at.data.date(), form.closes_at.data.time())
        try_save = apply(
            lambda: survey.save_survey(
                event_session,
                rating_prompt=form.rating_prompt.data,
                questions=questions,
                closes_at=closes_at,
                by=current_user,
                now=now(),
            ),
            lambda _saved: _("The survey is saved."),
        )
        if try_save:
            return redirect(url_for("organiser.survey_edit", session_id=session_id))
    status = 422 if form.errors else 200
    return render_template(
        "organiser/survey_edit.html",
        event=event,
        event_session=event_session,
        form=form,
        answers=survey.answer_count(current),
        stored=current.id is not None,
        max_questions=MAX_QUESTIONS,
    ), status


def _settings_data(current, zone: str) -> dict:
    data = {
        "rating_prompt": survey.shown_prompt(current.rating_prompt),
        "closes_at": timeutil.to_zone(current.closes_at, zone).replace(tzinfo=None),
    }
    for question in current.questions:
        n = question.position
        data[f"kind_{n}"] = question.kind.value
        data[f"prompt_{n}"] = survey.shown_prompt(question.prompt)
        data[f"options_{n}"] = question.choices
    return data


@bp.get("/sessions/<int:session_id>/survey/results")
@login_required
def survey_results(session_id: int):
    event_session = session_or_404(session_id)
    return render_template(
        "organiser/survey_results.html",
        event=event_session.event,
        event_session=event_session,
        results=survey.survey_results(event_session),
        shown_prompt=survey.shown_prompt,
        choice=QuestionKind.CHOICE,
    )


@bp.get("/sessions/<int:session_id>/survey.csv")
@login_required
def survey_export(session_id: int):
    event_session = session_or_404(session_id)
    filename = f"survey-{event_session.event.slug}-{event_session.id}.csv"
    return Response(
        survey.survey_csv(event_session),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
