"""How an event is going: its dashboard of figures and its activity log."""

from flask import render_template, request
from flask_login import login_required

from app import activity
from app.models import ActorKind
from app.organiser import reports
from app.organiser.common import bp, event_or_404, now
from app.survey import services as survey


@bp.get("/events/<int:event_id>/activity")
@login_required
def activity_log(event_id: int):
    event = event_or_404(event_id)
    kind = request.args.get("kind") if request.args.get("kind") in {k.value for k in ActorKind} else None
    return render_template(
        "organiser/activity.html",
        event=event,
        shown=activity.event_activity(event, kind=kind, page=request.args.get("page", 1, type=int)),
        kind=kind,
        kinds=[(k.value, k.label) for k in ActorKind],
    )


@bp.get("/events/<int:event_id>/dashboard")
@login_required
def dashboard(event_id: int):
    event = event_or_404(event_id)
    figures = reports.event_dashboard(event, now=now())
    return render_template(
        "organiser/dashboard.html",
        event=event,
        figures=figures,
        surveys=survey.survey_summaries([f.session.id for f in figures.sessions]),
        chart_width=reports.CHART_WIDTH,
        chart_height=reports.CHART_HEIGHT,
    )
