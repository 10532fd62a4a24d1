"""The edge's transaction: all of a use case is committed, or none of it."""

import ast
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.models import Event
from app.transaction import use_case


def _event(slug: str) -> Event:
    return Event(
        slug=slug, title=slug, timezone="Europe/Brussels", starts_on=date(2027, 10, 30), ends_on=date(2027, 10, 30)
    )


def test_use_case_commits_what_the_block_did(app_context):
    with use_case():
        db.session.add(_event("kept"))
    db.session.rollback()  # nothing is left to roll back: the block committed
    assert db.session.scalars(db.select(Event.slug)).all() == ["kept"]


def test_use_case_rolls_everything_back_when_a_rule_breaks(app_context):
    with pytest.raises(DomainError, match="broken"), use_case():
        db.session.add(_event("half-saved"))
        db.session.flush()
        raise DomainError("broken")
    assert db.session.scalars(db.select(Event.slug)).all() == []


class _KeptError(DomainError):
    keeps_changes = True


def test_use_case_commits_the_changes_an_error_keeps_then_raises_it(app_context):
    with pytest.raises(_KeptError), use_case():
        db.session.add(_event("kept-with-the-error"))
        raise _KeptError("told")
    db.session.rollback()
    assert db.session.scalars(db.select(Event.slug)).all() == ["kept-with-the-error"]


def test_use_case_rolls_back_an_error_that_keeps_changes_after_a_failed_flush(app_context):
    db.session.add(_event("taken"))
    db.session.commit()

    with pytest.raises(_KeptError), use_case():
        db.session.add(_event("taken"))  # the unique slug: the flush fails, nothing is left to keep
        try:
            db.session.flush()
        except IntegrityError as error:
            raise _KeptError("told") from error
    assert db.session.scalars(db.select(Event.slug)).all() == ["taken"]


#: The only code that ends a transaction itself: the edge helper, and the outbox worker, which commits its
#: claims and their outcomes batch by batch (a message is sent once, whatever else fails).
ENDS_TRANSACTIONS = {"app/transaction.py", "app/mail/delivery.py"}


def test_no_service_view_or_command_commits_or_rolls_back_on_its_own():
    """Read from the source (nothing imported): every `.commit()` and `.rollback()` call in app/."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in sorted((root / "app").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name in ENDS_TRANSACTIONS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=name)):
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if call and node.func.attr in ("commit", "rollback"):
                offenders.append(f"{name}:{node.lineno} .{node.func.attr}()")
    assert offenders == [], "use app.transaction.use_case() at the edge instead"
