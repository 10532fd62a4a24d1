"""Column types and helpers shared by the models."""

import enum
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uid() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC; SQLite gets it back aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: Each enum's words, filled in by app.labels (lazy strings of the catalogue: models import nothing of Flask), keyed
#: by (enum class, value), since members of different enums may share a value.
LABELS: dict = {}


class StrEnumChoices(enum.StrEnum):
    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs, the labels lazy: a form built at import time shows them in the page's language."""
        return [(member.value, LABELS.get((cls, member.value), member.value)) for member in cls]

    @property
    def label(self) -> str:
        """The member's words in the current language (app.labels)."""
        return str(LABELS.get((type(self), self.value), self.value))
