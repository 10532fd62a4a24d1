"""One use case, one transaction.

Services add, change and flush, and raise a DomainError when a rule breaks; they never commit or roll back
on their own behalf. The edge that called them (a view, a CLI command, the outbox worker) wraps the whole use
case in `use_case()`: it commits once when the block ends, or rolls everything back when anything in it
raised, so a change made of several services (a session moved, its join link and capacity changed) is applied
whole, with one set of emails, or not at all. Row locks the services took are held until then.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from app.errors import DomainError
from app.extensions import db


@contextmanager
def use_case() -> Iterator[None]:
    """Commit what the block did, or roll all of it back (and re-raise) if it raised anything.

    A DomainError that keeps its changes (AlreadyRegistered: a fresh manage link went out) is committed before
    it travels on, unless a failed flush left the transaction with nothing to keep."""
    try:
        yield
    except DomainError as error:
        if error.keeps_changes and db.session.is_active:
            db.session.commit()
        else:
            db.session.rollback()
        raise
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
