"""The survey's forms: the attendee's answers (built from the survey's questions) and the organisers' settings."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.forms import BaseForm
from app.models import QuestionKind, Survey
from app.models.survey import MAX_QUESTIONS
from app.survey.services import MAX_ANSWER, MAX_OPTION, MAX_OPTIONS, MAX_PROMPT, shown_prompt

#: What a datetime-local input sends (the first one is also how a value is written back into it).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _rating_choices() -> list[SelectChoice]:
    words = {1: _l("1 – not at all"), 5: _l("5 – very")}
    return [SelectChoice(n, words.get(n, str(n))) for n in range(1, 6)]


class AnswerForm(BaseForm):
    rating = RadioField(coerce=int, validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))])
    submit = SubmitField(_l("Send my answers"))


def answer_form(survey: Survey, **kwargs) -> AnswerForm:
    """The attendee's form for this survey: the rating, then each question (a choice is required, a text not)."""

    class Form(AnswerForm):
        pass

    for question in survey.questions:
        label = shown_prompt(question.prompt)
        if question.kind == QuestionKind.CHOICE:
            field = RadioField(
                label,
                choices=[SelectChoice(option, option) for option in question.options],
                validators=[InputRequired(message=_l("Choose one of the options."))],
            )
        else:
            field = TextAreaField(
                label,
                validators=[Optional(), Length(max=MAX_ANSWER)],
                description=_l("Optional. At most %(num)d characters.", num=MAX_ANSWER),
            )
        setattr(Form, f"q{question.position}", field)
    form = Form(**kwargs)
    form.rating.label.text = shown_prompt(survey.rating_prompt)
    form.rating.choices = _rating_choices()
    form.field_order = ["rating", *(f"q{q.position}" for q in survey.questions)]
    return form


def answers_of(form: AnswerForm, survey: Survey) -> dict[int, str]:
    return {q.position: form[f"q{q.position}"].data or "" for q in survey.questions}


class SurveySettingsForm(BaseForm):
    rating_prompt = StringField(
        _l("The rating's question (answered from 1 to 5)"), validators=[DataRequired(), Length(max=MAX_PROMPT)]
    )
    closes_at = DateTimeLocalField(
        _l("The survey closes"),
        format=LOCAL_FORMATS,
        validators=[DataRequired()],
        description=_l("In the event's time zone. Answers can be given and changed until then."),
    )
    submit = SubmitField(_l("Save the survey"))


def settings_form(**kwargs) -> SurveySettingsForm:
    """The settings form with a kind, a question and its options for each of the questions after the rating."""

    class Form(SurveySettingsForm):
        pass

    for n in range(1, MAX_QUESTIONS + 1):
        setattr(
            Form,
            f"kind_{n}",
            SelectField(
                _l("Question %(num)d: kind", num=n),
                choices=[SelectChoice(k.value, k.label) for k in QuestionKind],
                default=QuestionKind.TEXT.value,
            ),
        )
        setattr(
            Form,
            f"prompt_{n}",
            StringField(
                _l("Question %(num)d", num=n),
                validators=[Optional(), Length(max=MAX_PROMPT)],
                description=_l("Leave empty for no question here."),
            ),
        )
        setattr(
            Form,
            f"options_{n}",
            TextAreaField(
                _l("Question %(num)d: options", num=n),
                validators=[Optional(), Length(max=MAX_OPTIONS * (MAX_OPTION + 2)), _options_if_choice(n)],
                description=_l("For a choice: one option per line, 2 to %(num)d.", num=MAX_OPTIONS),
            ),
        )
    return Form(**kwargs)


def _options_if_choice(n: int):
    def check(form, field) -> None:
        if form[f"kind_{n}"].data == QuestionKind.CHOICE.value and (form[f"prompt_{n}"].data or "").strip():
            options = [line for line in (field.data or "").splitlines() if line.strip()]
            if not 2 <= len(options) <= MAX_OPTIONS:
                raise ValidationError(_("Give between 2 and %(num)d options, one per line.", num=MAX_OPTIONS))

    return check
