"""Organiser sign-in helpers for the HTTP tests."""

import pytest
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Event, Organiser
from config import TestingConfig

PASSWORD = "correct horse battery"
_HASH = generate_password_hash(PASSWORD, method=TestingConfig.PASSWORD_HASH_METHOD)


def make_organiser(email: str = "organiser@example.org", *, events: list[Event] = (), **fields) -> Organiser:
    organiser = Organiser(email=email, password_hash=_HASH, **fields)
    organiser.events.extend(events)
    db.session.add(organiser)
    db.session.commit()
    return organiser


@pytest.fixture
def sign_in(client):
    """Signs the test client in as an organiser (made on the fly, listed on `events`); returns them."""

    def sign_in_as(organiser: Organiser | None = None, *, events: list[Event] = ()) -> Organiser:
        organiser = organiser or make_organiser(events=list(events))
        with client.session_transaction() as session:
            session["_user_id"] = organiser.get_id()
            session["_fresh"] = True
        return organiser

    return sign_in_as
