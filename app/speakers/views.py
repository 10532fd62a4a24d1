"""Speakers' sign-in by link, their slots, feed and profile."""

from flask import Blueprint

bp = Blueprint("speakers", __name__)
