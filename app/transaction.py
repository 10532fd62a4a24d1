"""One use case, one transaction.

Services add, change and flush, and raise a DomainError when a rule breaks; they never commit or roll back
on their own behalf. The edge that called them (a view, a CLI command, the outbox worker) wraps the whole use
case in `use_case()`: it commits once when the block ends, or rolls everything back when anything in it
raised, so a change made of several services (a session moved, its join link and capacity changed) is applied
whole, with one set of emails, or not at all.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from app.extensions import db


@contextmanager
def use_case() -> Iterator[None]:
    """Commit what the block did, or roll all of it back (and re-raise) if it raised anything."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
