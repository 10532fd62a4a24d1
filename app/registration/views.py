"""Attendees register for a session and manage their registration."""

from flask import Blueprint

bp = Blueprint("registration", __name__)
