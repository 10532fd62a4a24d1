"""Public pages: upcoming events, an event's agenda, sessions and speakers."""

from flask import Blueprint, render_template
from sqlalchemy import select

from app.extensions import db
from app.models import Event, EventStatus

bp = Blueprint("agenda", __name__)


@bp.get("/")
def index():
    events = db.session.scalars(
        select(Event).where(Event.status == EventStatus.PUBLISHED).order_by(Event.starts_on)
    ).all()
    return render_template("agenda/index.html", events=events)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
