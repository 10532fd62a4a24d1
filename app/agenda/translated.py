"""The organiser's own wording in another language: the French title and description of an event, a session or
an agenda item. They follow the English ones' hygiene (one line for a title, a free text for a description, the
same lengths); an empty one is stored as None, and readers then see the English (app.i18n.localised)."""

from flask_babel import gettext as _

from app.errors import ValidationFailed
from app.text import has_control_characters

#: The translated fields each of an event, a session and an item carries, beside its English ones.
FRENCH_FIELDS = ("title_fr", "description_fr")
#: How the activity log names them.
FIELD_NAMES = {"title_fr": "French title", "description_fr": "French description"}
MAX_DESCRIPTION_LENGTH = 5000


def clean_translations(values: dict, *, title_length: int) -> dict:
    """`values` with its French title and description as stored (trimmed, None when empty); refuses control
    characters and what is longer than the English field allows."""
    for name in FRENCH_FIELDS:
        if name not in values:
            continue
        text = values[name] or ""
        multiline = name == "description_fr"
        if has_control_characters(text, multiline=multiline):
            raise ValidationFailed(
                _("The French description contains characters that are not allowed.")
                if multiline
                else _("The French title contains characters that are not allowed.")
            )
        text = text.replace("\r\n", "\n").strip() if multiline else " ".join(text.split())
        limit = MAX_DESCRIPTION_LENGTH if multiline else title_length
        if len(text) > limit:
            raise ValidationFailed(
                _("Use %(max)d characters or fewer for the French description.", max=limit)
                if multiline
                else _("Use %(max)d characters or fewer for the French title.", max=limit)
            )
        values[name] = text or None
    return values
