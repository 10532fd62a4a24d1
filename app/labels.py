"""The words of the models' enums (statuses, roles, kinds, groups), in the catalogue: each member's label is a lazy
string turned into the current language when shown (`member.label`, `Enum.choices()`). Kept outside app.models,
which import nothing of Flask; the app factory imports this module, which fills app.models.base.LABELS."""

from flask_babel import lazy_gettext as _l

from app.models import (
    ActorKind,
    AppearanceResponse,
    AttendanceSource,
    AttendeeGroup,
    EventStatus,
    ItemKind,
    MaterialKind,
    MaterialVisibility,
    OutboxStatus,
    QuestionKind,
    RegistrationStatus,
    Role,
    SessionStatus,
)
from app.models.base import LABELS

_TABLES = {
    EventStatus: {"draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled")},
    SessionStatus: {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled")},
    ItemKind: {
        "opening_remarks": _l("Opening remarks"),
        "presentation": _l("Presentation"),
        "panel": _l("Panel"),
        "call_for_proposals": _l("Call for proposals"),
        "discussion": _l("Discussion"),
        "break": _l("Break"),
        "lunch": _l("Lunch"),
        "conclusion": _l("Conclusion"),
        "closure": _l("Closure"),
        "other": _l("Other"),
    },
    Role: {
        "speaker": _l("Speaker"),
        "panellist": _l("Panellist"),
        "moderator": _l("Moderator"),
        "chair": _l("Chair"),
    },
    AppearanceResponse: {"pending": _l("Pending"), "confirmed": _l("Confirmed"), "declined": _l("Declined")},
    RegistrationStatus: {"confirmed": _l("Confirmed"), "waitlisted": _l("Waitlisted"), "cancelled": _l("Cancelled")},
    AttendeeGroup: {
        "mpf_grantee": _l("MPF grantee"),
        "eu_member_state": _l("EU Member State government"),
        "eu_service": _l("EU service"),
        "partner_country": _l("Partner country authority"),
        "other": _l("Other"),
    },
    ActorKind: {
        "organiser": _l("Organiser"),
        "speaker": _l("Speaker"),
        "command": _l("Command"),
        "attendee": _l("Attendee"),
        "system": _l("System"),
    },
    MaterialVisibility: {
        "public": _l("Public, once the session is over"),
        "registrants": _l("The session's registrants, once it is over"),
        "organisers": _l("Organisers only"),
    },
    MaterialKind: {
        "pdf": _l("PDF"),
        "pptx": _l("PowerPoint presentation (PPTX)"),
        "docx": _l("Word document (DOCX)"),
        "odp": _l("OpenDocument presentation (ODP)"),
        "xlsx": _l("Excel workbook (XLSX)"),
        "png": _l("PNG image"),
        "jpeg": _l("JPEG image"),
        "gif": _l("GIF image"),
        "webp": _l("WebP image"),
    },
    AttendanceSource: {"zoom": _l("Zoom"), "teams": _l("Microsoft Teams"), "webex": _l("Webex"), "hand": _l("by hand")},
    OutboxStatus: {
        "queued": _l("Queued"),
        "sending": _l("Sending"),
        "sent": _l("Sent"),
        "retrying": _l("Retrying"),
        "failed": _l("Failed"),
        "cancelled": _l("Cancelled"),
    },
    QuestionKind: {"text": _l("Free text"), "choice": _l("One choice")},
}

for enum_class, words in _TABLES.items():
    assert set(words) == {m.value for m in enum_class}, enum_class
    LABELS.update({(enum_class, value): label for value, label in words.items()})
