"""Forms of the speaker pages: shape only; the rules are in app.speakers.services."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app import timeutil
from app.forms import BaseForm, email_address, find_zone, zone_choices
from app.speakers.sanitise import MAX_BIO_LENGTH, shallow_enough


class SignInRequestForm(BaseForm):
    email = EmailField(
        _l("Your email address"),
        validators=[DataRequired(_l("Enter your email address.")), email_address(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Email me a sign-in link"))


class SignInConfirmForm(BaseForm):
    submit = SubmitField(_l("Sign in"))


class ActionForm(BaseForm):
    """A button that only needs its CSRF token (sign out, reset the feed address)."""

    submit = SubmitField()


class TimezoneForm(BaseForm):
    timezone = SelectField(
        _l("Show times in"), validators=[DataRequired(_l("Choose a time zone."))], validate_choice=False
    )
    find_zone = StringField(
        _l("Or type a city or country"),
        validators=[Optional(), Length(max=200), find_zone("timezone")],
        render_kw={"autocomplete": "off", "maxlength": 200, "type": "search"},
    )
    submit = SubmitField(_l("Show"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices(self.timezone.data)

    def validate_timezone(self, field) -> None:
        if not timeutil.is_valid_zone(field.data):
            raise ValidationError(str(_l("Choose a time zone from the list.")))


class ResponseForm(BaseForm):
    response = RadioField(
        _l("Your answer"),
        choices=[
            SelectChoice("confirmed", _l("I confirm this slot")),
            SelectChoice("declined", _l("I cannot take this slot")),
        ],
        validators=[InputRequired(_l("Choose confirm or decline."))],
    )
    note = TextAreaField(_l("Note to the organisers (optional)"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Send my answer"))


class ProfileForm(BaseForm):
    honorific = StringField(
        _l("Honorific (optional)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "honorific-prefix"},
    )
    name = StringField(
        _l("Name, as it should be written"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    position = StringField(
        _l("Position"), validators=[Optional(), Length(max=300)], render_kw={"autocomplete": "organization-title"}
    )
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=300)], render_kw={"autocomplete": "organization"}
    )
    bio = TextAreaField(_l("Short bio"), validators=[Optional(), Length(max=MAX_BIO_LENGTH), shallow_enough])
    submit = SubmitField(_l("Save profile"))
