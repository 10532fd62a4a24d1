"""Forms of the privacy pages: shape only."""

from wtforms import SubmitField

from app.forms import BaseForm


class EraseForm(BaseForm):
    """The confirmation of an erasure: a button and the CSRF token."""

    submit = SubmitField("Erase my data")
