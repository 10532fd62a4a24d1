"""The forms of the materials pages (organisers' and speakers'): shape only; the file's check is in checks.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.forms import BaseForm
from app.materials.checks import ACCEPTED_KINDS
from app.models import MaterialVisibility

FILE_HELP = _l("Accepted: %(kinds)s. The file's content decides, not its name.", kinds=ACCEPTED_KINDS)


def _visibility():
    return RadioField(
        _l("Who may download it"),
        choices=[SelectChoice(value, label) for value, label in MaterialVisibility.choices()],
        default=MaterialVisibility.PUBLIC.value,
        validators=[InputRequired(_l("Choose who may download it."))],
    )


class MaterialUploadForm(BaseForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to upload."))], description=FILE_HELP)
    visibility = _visibility()
    submit = SubmitField(_l("Upload"))


class MaterialEditForm(BaseForm):
    visibility = _visibility()
    file = FileField(_l("Replace the file (optional)"), description=FILE_HELP)
    submit = SubmitField(_l("Save"))


class MaterialDeleteForm(BaseForm):
    submit = SubmitField(_l("Delete this file"))
