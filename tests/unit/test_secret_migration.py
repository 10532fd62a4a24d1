"""Migration e41b7d9c2a05 on a database of its own: links already in outbox bodies leave them."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import make_config

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
LINKS = {
    "manage": f"http://127.0.0.1:5000/registrations/{TOKEN}/",
    "speaker": f"http://127.0.0.1:5000/speaker/sign-in/{TOKEN}",
    "reset": "http://127.0.0.1:5000/organiser/reset/eyJpZCI6MX0.Z1x2Yw.c2lnbmF0dXJl",
}
ROWS = [
    # id, kind, status, link
    (1, "confirmation", "queued", "manage"),
    (2, "confirmation", "sent", "manage"),
    (3, "speaker_link", "retrying", "speaker"),
    (4, "organiser_password_reset", "queued", "reset"),
    (5, "organiser_password_reset", "failed", "reset"),
]


@pytest.fixture
def migrated_app(tmp_path):
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migration.sqlite'}"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _insert_old_rows() -> None:
    with db.engine.begin() as conn:
        for id_, kind, status, link in ROWS:
            conn.execute(
                sa.text(
                    "INSERT INTO outbox_messages (id, kind, to_address, to_name, subject, body_text, body_html, status,"
                    " not_before, attempts, last_error, created_at) VALUES (:id, :kind, 'a@example.com', '', 's',"
                    " :text, :html, :status, '2030-01-01 00:00:00', 0, '', '2030-01-01 00:00:00')"
                ),
                {
                    "id": id_,
                    "kind": kind,
                    "status": status,
                    "text": f"Open:\n{LINKS[link]}\n",
                    "html": f'<a href="{LINKS[link]}">open</a>',
                },
            )


def _rows() -> dict[int, tuple]:
    with db.engine.connect() as conn:
        columns = "id, status, body_text, body_html" + (
            ", private_links" if "private_links" in _outbox_columns(conn) else ""
        )
        return {row[0]: tuple(row[1:]) for row in conn.execute(sa.text(f"SELECT {columns} FROM outbox_messages"))}


def _outbox_columns(conn) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns("outbox_messages")}


def test_upgrade_moves_pending_links_out_of_bodies_and_drops_the_others_downgrade_puts_pending_back(migrated_app):
    upgrade(directory=MIGRATIONS, revision="a3c9e1f47b20")
    _insert_old_rows()

    upgrade(directory=MIGRATIONS, revision="e41b7d9c2a05")

    placeholder = ("Open:\n[private link 1]\n", '<a href="[private link 1]">open</a>')
    assert _rows() == {
        1: ("queued", *placeholder, LINKS["manage"]),
        2: ("sent", *placeholder, None),
        3: ("retrying", *placeholder, LINKS["speaker"]),
        4: ("cancelled", *placeholder, None),  # a signed reset link no longer works: not sent
        5: ("failed", *placeholder, None),
    }
    assert not any(TOKEN in text + html for _, text, html, _ in _rows().values())

    downgrade(directory=MIGRATIONS, revision="a3c9e1f47b20")

    after = _rows()
    assert after[1] == ("queued", f"Open:\n{LINKS['manage']}\n", f'<a href="{LINKS["manage"]}">open</a>')
    assert after[3][1] == f"Open:\n{LINKS['speaker']}\n"
    assert after[2] == ("sent", *placeholder)
