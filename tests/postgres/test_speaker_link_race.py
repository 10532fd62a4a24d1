"""On PostgreSQL: twenty requests using one sign-in link at once get exactly one sign-in."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import SpeakerLoginToken
from tests.conftest import DATABASE_URL
from tests.unit.test_speaker_links import NOW, _issue, _speaker, _speaker_of, race_sign_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgresql"),
        reason="needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://... to run the race on real row locks",
    ),
]


@pytest.mark.parametrize("round_", range(3))
def test_twenty_concurrent_uses_of_one_link_on_postgresql_sign_in_exactly_once(app, app_context, round_):
    person = _speaker()
    token = _issue(person)
    speaker_id = _speaker_of(person).id
    db.session.remove()

    results = race_sign_in(app, token, NOW)

    assert len(results) == 20
    assert [r for r in results if r is not None] == [speaker_id]
    assert db.session.scalars(select(SpeakerLoginToken)).one().used_at == NOW
