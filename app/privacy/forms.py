"""Forms of the privacy pages: shape only."""

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from app.forms import BaseForm


class EraseForm(BaseForm):
    """The confirmation of an erasure: a button and the CSRF token."""

    submit = SubmitField(_l("Erase my data"))
