"""Back-office screens for organisers."""

from flask import Blueprint

from app.extensions import db, login_manager
from app.models import Organiser

bp = Blueprint("organiser", __name__)


@login_manager.user_loader
def load_organiser(user_id: str) -> Organiser | None:
    organiser = db.session.get(Organiser, int(user_id)) if user_id.isdigit() else None
    return organiser if organiser is not None and organiser.is_active else None
