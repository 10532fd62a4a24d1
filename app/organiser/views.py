"""Back-office screens for organisers."""

from flask import Blueprint

bp = Blueprint("organiser", __name__)
