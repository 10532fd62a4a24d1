"""What every form of the site shares: no control characters in typed text, email addresses we can write
to, the time zone choices."""

from datetime import date, datetime
from functools import lru_cache

from flask import current_app
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app import timeutil
from app.text import InvalidEmail, NeedsSmtputf8, has_control_characters, normalise_email

TEXT_FIELDS = {"StringField", "TextAreaField", "EmailField", "PasswordField"}
CONTROL_CHARACTERS_MESSAGE = "This contains characters that are not allowed."


def no_control_characters(*, multiline: bool = False, message: str = CONTROL_CHARACTERS_MESSAGE):
    """A field validator for forms that are not a BaseForm: the same rule as app.text.has_control_characters
    (line breaks and tabs only in a free text)."""

    def check(form, field) -> None:
        if has_control_characters(field.data or "", multiline=multiline):
            raise ValidationError(message)

    return check


class BaseForm(FlaskForm):
    """Refuses control characters in every text field, next to the field (line breaks only in text areas),
    and dates outside the years an event may have (timeutil.EARLIEST_DAY and LATEST_DAY).

    NUL is refused earlier, site-wide, by app/web.py.
    """

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            text = field.data if isinstance(field.data, str) and field.type in TEXT_FIELDS else ""
            if has_control_characters(text, multiline=field.type == "TextAreaField"):
                field.errors = [*field.errors, CONTROL_CHARACTERS_MESSAGE]
                valid = False
            day = field.data.date() if isinstance(field.data, datetime) else field.data
            if isinstance(day, date) and not timeutil.is_plausible_day(day):
                first, last = timeutil.EARLIEST_DAY.year, timeutil.LATEST_DAY.year
                field.errors = [*field.errors, f"Choose a date between the years {first} and {last}."]
                valid = False
        return valid


def email_address(message: str = "Invalid email address."):
    """A field validator: an address app.text.normalise_email takes, that our mail can reach (non-ASCII
    before the @ only when the mail server offers SMTPUTF8, the MAIL_SMTPUTF8 setting). A blank field is
    left to DataRequired or Optional."""

    def check(form, field) -> None:
        if not field.data:
            return
        try:
            normalise_email(field.data, smtputf8=current_app.config["MAIL_SMTPUTF8"])
        except NeedsSmtputf8 as error:
            raise ValidationError(error.message) from None
        except InvalidEmail:
            raise ValidationError(message) from None

    return check


@lru_cache(maxsize=1)
def zone_choices() -> tuple[SelectChoice, ...]:
    """The common zones first (the event's and where attendees join from), then every IANA zone.

    Built once per process (about 600 choices: building them cost more than the rest of a form)."""
    common = [SelectChoice(z, z.replace("_", " "), optgroup="Common") for z in timeutil.COMMON_ZONES]
    rest = [
        SelectChoice(z, z.replace("_", " "), optgroup="All zones")
        for z in timeutil.all_zones()
        if z not in timeutil.COMMON_ZONES
    ]
    return tuple(common + rest)
