"""One form per organiser screen: they check shape; the services check the rules."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app import timeutil
from app.forms import BaseForm, email_address
from app.mail.organiser_messages import greeting
from app.models import AttendeeGroup, ItemKind, RegistrationStatus, Role
from app.speakers.sanitise import shallow_enough

#: What a datetime-local input sends (the first one is also how a value is written back into it).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


#: Under a French title: readers whose page is in French see it; left empty, they see the English.
FRENCH_HINT = _l("Optional: French readers see it instead of the English one; left empty, they see the English.")

#: What is typed there is French (screen readers read it so, spelling checkers check it so).
IN_FRENCH = {"lang": "fr"}

#: A name or address field about someone else: the browser must not fill in the organiser's own.
NOT_MINE = {"autocomplete": "off"}


def choices_of(enum_class) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in enum_class.choices()]


class SignInForm(BaseForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "current-password"}
    )
    submit = SubmitField(_l("Sign in"))


class ResetRequestForm(BaseForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), email_address(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    submit = SubmitField(_l("Send a reset link"))


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=12, max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set the password"))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=12, max=200)],
        description=_l("12 characters or more. Every other browser signed in to this account is signed out."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change the password"))


class SaveAnywayForm(BaseForm):
    """A form whose save may need a second submit once the organiser has seen what it causes (timeline
    warnings, people told): see app.organiser.common.needs_confirmation."""

    #: Set when the organiser has seen the warnings for exactly these values and saves anyway.
    confirm = HiddenField()


class EventForm(SaveAnywayForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=80)],
        description=_l("Lower-case letters, digits and dashes; made from the title when left empty."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    title_fr = StringField(
        _l("Title in French"), validators=[Optional(), Length(max=200)], description=FRENCH_HINT, render_kw=IN_FRENCH
    )
    description_fr = TextAreaField(
        _l("Description in French"), validators=[Optional(), Length(max=5000)], render_kw=IN_FRENCH
    )
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    timezone = StringField(_l("Time zone"), default="Europe/Brussels", validators=[DataRequired(), Length(max=64)])
    starts_on = DateField(_l("First day"), validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])
    # Someone else's name and address (the event's contact, a person of the programme): never the browser's
    # own autofill of the organiser's.
    contact_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=200)], render_kw=NOT_MINE)
    contact_email = EmailField(
        _l("Contact email"), validators=[DataRequired(), email_address(), Length(max=254)], render_kw=NOT_MINE
    )
    submit = SubmitField(_l("Save event"))

    def validate_timezone(self, field):
        if not timeutil.is_valid_zone(field.data):
            raise ValidationError(_("Choose a time zone from the list, such as Europe/Brussels."))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_("The last day cannot be before the first day."))


class SessionForm(SaveAnywayForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Aims and description"), validators=[Optional(), Length(max=5000)])
    title_fr = StringField(
        _l("Title in French"), validators=[Optional(), Length(max=200)], description=FRENCH_HINT, render_kw=IN_FRENCH
    )
    description_fr = TextAreaField(
        _l("Description in French"), validators=[Optional(), Length(max=5000)], render_kw=IN_FRENCH
    )
    day = DateField(_l("Day"), validators=[DataRequired()])
    starts = TimeField(_l("Starts"), validators=[DataRequired()])
    ends = TimeField(_l("Ends"), validators=[DataRequired()])
    location = StringField(_l("Room or place"), validators=[Optional(), Length(max=200)])
    is_online = BooleanField(_l("Online session"))
    join_url = StringField(
        _l("Join link"),
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
        description=_l("Shown only to confirmed attendees and the session's people."),
    )
    registration_enabled = BooleanField(_l("Open for registration"))
    capacity = IntegerField(
        _l("Capacity"), validators=[Optional(), NumberRange(min=0, max=100000)], description=_l("Empty means no limit.")
    )
    waitlist_enabled = BooleanField(_l("Waiting list when full"), default=True)
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format=LOCAL_FORMATS, validators=[Optional()])
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"), format=LOCAL_FORMATS, validators=[Optional()]
    )
    move_items = BooleanField(_l("Move the session's items with it"), default=True)
    submit = SubmitField(_l("Save session"))

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_("The session must end after it starts."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.is_online.data and self.registration_enabled.data and not self.join_url.data:
            self.join_url.errors = [
                *self.join_url.errors,
                _("An online session open for registration needs a join link."),
            ]
            valid = False
        return valid

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if opens and field.data and field.data <= opens:
            raise ValidationError(_("Registration must close after it opens."))


class ItemForm(SaveAnywayForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=choices_of(ItemKind), default=ItemKind.PRESENTATION.value)
    starts = TimeField(_l("Starts"), validators=[DataRequired()])
    ends = TimeField(_l("Ends"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    title_fr = StringField(
        _l("Title in French"), validators=[Optional(), Length(max=300)], description=FRENCH_HINT, render_kw=IN_FRENCH
    )
    description_fr = TextAreaField(
        _l("Description in French"), validators=[Optional(), Length(max=5000)], render_kw=IN_FRENCH
    )
    location = StringField(_l("Room or place"), validators=[Optional(), Length(max=200)])
    shift_later = BooleanField(_l("Move the later items of the session by as much as this item's end moves"))
    submit = SubmitField(_l("Check and save"))

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_("The item must end after it starts."))


class PersonForm(BaseForm):
    honorific = StringField(_l("Honorific"), validators=[Optional(), Length(max=20)], description=_l("Ms, Mr, Dr, …"))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], render_kw=NOT_MINE)
    position = StringField(_l("Position"), validators=[Optional(), Length(max=300)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=300)])
    email = EmailField(_l("Email"), validators=[Optional(), email_address(), Length(max=254)], render_kw=NOT_MINE)
    bio = TextAreaField(_l("Bio"), validators=[Optional(), Length(max=5000), shallow_enough])
    submit = SubmitField(_l("Save person"))


def _id_or_none(value) -> int | None:
    """The picker's value: its empty first option ("Choose a person") is no one."""
    return None if value in ("", None) else int(value)


class AppearanceForm(SaveAnywayForm):
    person_id = SelectField(_l("Person"), coerce=_id_or_none, validators=[InputRequired(_l("Choose a person."))])
    role = SelectField(_l("Role"), choices=choices_of(Role), default=Role.SPEAKER.value)
    submit = SubmitField(_l("Add to the item"))


class PersonSearchForm(BaseForm):
    """Narrows the item page's person picker, sent with GET (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Find by surname or organisation"),
        validators=[Optional(), Length(max=100)],
        description=_l("Narrows the list of people to choose from."),
    )


class ConfirmForm(BaseForm):
    """A button that posts: publish, delete, reorder; CSRF only."""

    submit = SubmitField(_l("Confirm"))


class CancelSessionForm(BaseForm):
    reason = TextAreaField(
        _l("Reason, sent to the attendees"), validators=[Optional(), Length(max=500)], description=_l("Optional.")
    )
    submit = SubmitField(_l("Cancel the session"))


class RegistrationFilterForm(BaseForm):
    """The list's filters, sent with GET (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("Any status"))] + choices_of(RegistrationStatus),
        validators=[Optional()],
    )
    group = SelectField(
        _l("Group"), choices=[SelectChoice("", _l("Any group"))] + choices_of(AttendeeGroup), validators=[Optional()]
    )
    q = StringField(
        _l("Search"), validators=[Optional(), Length(max=100)], description=_l("Name, email, organisation or question.")
    )


class CapacityForm(BaseForm):
    capacity = IntegerField(
        _l("Capacity"), validators=[Optional(), NumberRange(min=0, max=100000)], description=_l("Empty means no limit.")
    )
    submit = SubmitField(_l("Change the capacity"))


class MessageForm(BaseForm):
    audience = SelectField(
        _l("Send to"),
        choices=[
            SelectChoice("confirmed", _l("Confirmed attendees")),
            SelectChoice("waitlisted", _l("The waiting list")),
        ],
    )
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(), Length(max=10000)],
        default=greeting,
        description=_l(
            "“{name}” becomes each attendee’s name. A blank line starts a new paragraph; "
            "web addresses (https://…) become links."
        ),
    )
    preview = SubmitField(_l("Preview"))
    test = SubmitField(_l("Send me a test"))
    submit = SubmitField(_l("Send"))


class RecordingForm(BaseForm):
    """A session's or an item's recording link, and when registrants may see it (in the event's zone)."""

    recording_url = StringField(
        _l("Recording link"),
        validators=[Optional(), Length(max=500)],
        description=_l("A web address (https://…). Leave it empty to remove the recording."),
        render_kw={"inputmode": "url", "autocomplete": "off"},
    )
    recording_available_at = DateTimeLocalField(
        _l("Available from"),
        format=LOCAL_FORMATS,
        validators=[Optional()],
        description=_l("In the event’s time zone. Empty: registrants see it at once."),
    )
    submit = SubmitField(_l("Save the recording"))


class AttendanceUploadForm(BaseForm):
    """The attendance report exported by the video platform; it is read and previewed, not yet saved."""

    report = FileField(
        _l("Attendance report"),
        validators=[FileRequired(_l("Choose the file the video platform exported."))],
        description=_l("The CSV file exported by Zoom, Microsoft Teams or Webex."),
        render_kw={"accept": ".csv,.txt,text/csv,text/plain"},
    )
    submit = SubmitField(_l("Preview the import"))


class AttendanceConfirmForm(BaseForm):
    """Saves what the preview showed: the signed preview goes back whole."""

    preview = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Confirm the import"))


class CheckInSearchForm(BaseForm):
    """Narrows the check-in list, sent with GET (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Find a registrant"),
        validators=[Optional(), Length(max=100)],
        description=_l("Name, email or organisation."),
        render_kw={"autocomplete": "off", "type": "search"},
    )


class AttendanceMarkForm(BaseForm):
    """One tick on the check-in list: `attended` is "1" to mark, "0" to unmark."""

    attended = HiddenField(validators=[DataRequired()])
    q = HiddenField()


class NoteForm(BaseForm):
    """A note or summary, with the version it was written on (a stale edit is given back, not saved)."""

    body = TextAreaField(
        _l("Note"),
        validators=[Length(max=20000), shallow_enough],
        description=_l("Markdown: **bold**, *italics*, lists with “-”, links. Saved with its history."),
        render_kw={"rows": 12},
    )
    version = HiddenField(default="0")


class RapporteurForm(BaseForm):
    email = EmailField(
        _l("Email of the rapporteur's account"), validators=[DataRequired(), Length(max=254)], render_kw=NOT_MINE
    )


class TypologyForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], render_kw=NOT_MINE)
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)], render_kw={"rows": 3})
    name_fr = StringField(
        _l("Name in French"), validators=[Length(max=200)], description=FRENCH_HINT, render_kw={**IN_FRENCH, **NOT_MINE}
    )
    description_fr = TextAreaField(
        _l("Description in French"),
        validators=[Length(max=5000)],
        description=FRENCH_HINT,
        render_kw={"rows": 3, **IN_FRENCH},
    )


class PlacementForm(BaseForm):
    """The categories an item is placed in: one checkbox per category of its event (filled by the view)."""

    typologies = SelectMultipleField(_l("Categories"), coerce=int, validate_choice=True)
