"""Forms of the speaker pages: shape only; the rules are in app.speakers.services."""

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from app import timeutil
from app.speakers.sanitise import MAX_BIO_LENGTH


class SignInRequestForm(FlaskForm):
    email = EmailField(
        "Your email address", validators=[DataRequired("Enter your email address."), Email(), Length(max=254)]
    )
    submit = SubmitField("Email me a sign-in link")


class SignInConfirmForm(FlaskForm):
    submit = SubmitField("Sign in")


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (sign out, reset the feed address)."""

    submit = SubmitField()


class TimezoneForm(FlaskForm):
    timezone = SelectField("Show times in", validators=[DataRequired("Choose a time zone.")])
    submit = SubmitField("Show")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        common = [SelectChoice(name) for name in timeutil.COMMON_ZONES]
        rest = [SelectChoice(name) for name in timeutil.all_zones() if name not in timeutil.COMMON_ZONES]
        self.timezone.choices = common + rest


class ResponseForm(FlaskForm):
    response = RadioField(
        "Your answer",
        choices=[SelectChoice("confirmed", "I confirm this slot"), SelectChoice("declined", "I cannot take this slot")],
        validators=[InputRequired("Choose confirm or decline.")],
    )
    note = TextAreaField("Note to the organisers (optional)", validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Send my answer")


class ProfileForm(FlaskForm):
    honorific = StringField("Honorific (optional)", validators=[Optional(), Length(max=20)])
    name = StringField("Name, as it should be written", validators=[DataRequired("Enter your name."), Length(max=200)])
    position = StringField("Position", validators=[Optional(), Length(max=300)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=300)])
    bio = TextAreaField("Short bio", validators=[Optional(), Length(max=MAX_BIO_LENGTH)])
    submit = SubmitField("Save profile")
