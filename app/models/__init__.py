"""All models, imported so that metadata and Alembic see every table."""

from app.models.account import Organiser, PasswordResetToken, Speaker, SpeakerLoginToken
from app.models.activity import ActivityEntry, ActorKind
from app.models.base import UTCDateTime, new_uid, utcnow
from app.models.event import (
    AgendaItem,
    Appearance,
    AppearanceResponse,
    Event,
    EventSession,
    EventStatus,
    ItemKind,
    Person,
    Role,
    SessionStatus,
    event_organisers,
)
from app.models.material import Material, MaterialKind, MaterialVisibility
from app.models.notice import SlotNotice
from app.models.outbox import OutboxMessage, OutboxStatus
from app.models.registration import AttendanceSource, AttendeeGroup, Registration, RegistrationStatus
from app.models.report import Note, NoteRevision, Typology, event_rapporteurs, typology_items
from app.models.survey import QuestionKind, Survey, SurveyAnswer, SurveyQuestion

__all__ = [
    "ActivityEntry",
    "ActorKind",
    "AgendaItem",
    "Appearance",
    "AppearanceResponse",
    "AttendanceSource",
    "AttendeeGroup",
    "Event",
    "EventSession",
    "EventStatus",
    "ItemKind",
    "Material",
    "MaterialKind",
    "MaterialVisibility",
    "Note",
    "NoteRevision",
    "Organiser",
    "OutboxMessage",
    "OutboxStatus",
    "PasswordResetToken",
    "Person",
    "QuestionKind",
    "Registration",
    "RegistrationStatus",
    "Role",
    "SessionStatus",
    "SlotNotice",
    "Speaker",
    "SpeakerLoginToken",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "Typology",
    "UTCDateTime",
    "event_organisers",
    "event_rapporteurs",
    "typology_items",
    "new_uid",
    "utcnow",
]
