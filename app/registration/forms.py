"""Forms for attendees: shape only (required, lengths, email, no control characters); rules live in services."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app import timeutil
from app.forms import PlainForm, email_address, find_zone, no_control_characters, zone_choices
from app.models import AttendeeGroup
from app.registration.services import LIMITS

#: Attendees are told what to do about it.
SPECIAL_CHARACTERS = _l("Please remove the special characters (such as line breaks) from this field.")


def known_zone(form, field) -> None:
    if field.data and not timeutil.is_valid_zone(field.data):
        raise ValidationError(_l("Please choose a time zone from the list."))


def _group_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose a group"))] + [SelectChoice(v, label) for v, label in AttendeeGroup.choices()]


#: How zone.js names the visitor's own zone when it adds it to a picker: it puts the city for "{city}".
OWN_ZONE = _l("%(city)s (this device’s zone)", city="{city}")


class _DetailsForm(PlainForm):
    full_name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Please give your full name.")),
            Length(max=LIMITS["full_name"]),
            no_control_characters(message=SPECIAL_CHARACTERS),
        ],
        render_kw={"autocomplete": "name", "maxlength": LIMITS["full_name"]},
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[
            DataRequired(_l("Please give your organisation.")),
            Length(max=LIMITS["organisation"]),
            no_control_characters(message=SPECIAL_CHARACTERS),
        ],
        render_kw={"autocomplete": "organization", "maxlength": LIMITS["organisation"]},
    )
    group = SelectField(
        _l("Which group do you belong to?"),
        choices=_group_choices,
        validate_choice=False,
        validators=[InputRequired(_l("Please choose the group you belong to."))],
    )
    question = TextAreaField(
        _l("Your question for the panel (optional)"),
        validators=[
            Optional(),
            Length(max=LIMITS["question"]),
            no_control_characters(multiline=True, message=SPECIAL_CHARACTERS),
        ],
        render_kw={"rows": 4, "maxlength": LIMITS["question"]},
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility needs (optional)"),
        description=_l("For example live captions or sign language interpretation."),
        validators=[
            Optional(),
            Length(max=LIMITS["accessibility_needs"]),
            no_control_characters(multiline=True, message=SPECIAL_CHARACTERS),
        ],
        render_kw={"rows": 2, "maxlength": LIMITS["accessibility_needs"]},
    )
    timezone = SelectField(
        _l("Your time zone"),
        description=_l("We show the session's time in this zone too."),
        validators=[Optional(), known_zone],
        validate_choice=False,
        render_kw={"data-preselect-zone": True, "data-own-zone": OWN_ZONE},
    )
    find_zone = StringField(
        _l("Not in the list? Type your city or country"),
        validators=[Optional(), Length(max=200), find_zone("timezone")],
        render_kw={"autocomplete": "off", "maxlength": 200, "type": "search"},
    )

    def __init__(self, *args, event_zone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices(self.timezone.data, event_zone)

    def validate_group(self, field) -> None:
        if field.data not in {value for value, _ in AttendeeGroup.choices()}:
            raise ValidationError(_l("Please choose the group you belong to."))


class RegistrationForm(_DetailsForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Please give your email address.")),
            Length(max=LIMITS["email"]),
            no_control_characters(message=SPECIAL_CHARACTERS),
            email_address(_l("Please give a valid email address, like name@example.org.")),
        ],
        render_kw={"autocomplete": "email", "maxlength": LIMITS["email"]},
    )
    consent = BooleanField(
        _l("I agree that my details are processed as the privacy notice describes."),
        validators=[DataRequired(_l("Please agree to the privacy notice to register."))],
    )
    submit = SubmitField(_l("Register"))

    #: The order of the page, which the error summary follows.
    field_order = (
        "full_name",
        "email",
        "organisation",
        "group",
        "timezone",
        "find_zone",
        "question",
        "accessibility_needs",
        "consent",
    )


class ManageForm(_DetailsForm):
    submit = SubmitField(_l("Save changes"))

    field_order = ("full_name", "organisation", "group", "timezone", "find_zone", "question", "accessibility_needs")


class CancelForm(PlainForm):
    submit = SubmitField(_l("Cancel my registration"))
