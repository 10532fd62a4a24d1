"""What every form of the site shares: messages in people's words (an expired form, a too-long field), no
control characters in typed text, email addresses we can write to, the time zone choices."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, flash, g, session
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app import timeutil, zones
from app.csrf import KEEPS_INPUT
from app.text import InvalidEmail, NeedsSmtputf8, has_control_characters, normalise_email

TEXT_FIELDS = {"StringField", "TextAreaField", "EmailField", "PasswordField"}
CONTROL_CHARACTERS_MESSAGE = _l("This contains characters that are not allowed.")


def no_control_characters(*, multiline: bool = False, message: str = CONTROL_CHARACTERS_MESSAGE):
    """A field validator for forms that are not a BaseForm: the same rule as app.text.has_control_characters
    (line breaks and tabs only in a free text)."""

    def check(form, field) -> None:
        if has_control_characters(field.data or "", multiline=multiline):
            raise ValidationError(str(message))

    return check


EXPIRED_MESSAGE = _l("This form had expired; your entries are kept: send it again.")


class _Plural:
    """Marks a singular and plural pair for the catalogue (pybabel reads `.ngettext(...)` calls) without translating
    it yet: WTForms asks for it at request time, with the count."""

    @staticmethod
    def ngettext(singular: str, plural: str) -> tuple[str, str]:
        return singular, plural


_pair = _Plural()

#: WTForms' own messages, in people's words and through the catalogue (WTForms asks the form's translations).
PLAIN_WORDS = {
    "This field is required.": _l("This field is required."),
    "Invalid email address.": _l("Invalid email address."),
    "Invalid input.": _l("Invalid input."),
    "Not a valid choice.": _l("Choose one of the options."),
    "Invalid Choice: could not coerce.": _l("Choose one of the options."),
    "Not a valid integer value.": _l("Enter a whole number."),
    "Not a valid decimal value.": _l("Enter a number."),
    "Not a valid float value.": _l("Enter a number."),
    "Not a valid date value.": _l("Enter a date."),
    "Not a valid datetime value.": _l("Enter a date and a time."),
    "Not a valid time value.": _l("Enter a time."),
    "Number must be at least %(min)s.": _l("Enter %(min)s or more."),
    "Number must be at most %(max)s.": _l("Enter %(max)s or less."),
    "Number must be between %(min)s and %(max)s.": _l("Enter a number from %(min)s to %(max)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Use between %(min)d and %(max)d characters."),
}

#: WTForms' counted messages (by their singular), as singular and plural pairs of the catalogue.
PLAIN_PLURALS = {
    "Field cannot be longer than %(max)d character.": _pair.ngettext(
        "Use %(max)d character or fewer.", "Use %(max)d characters or fewer."
    ),
    "Field must be at least %(min)d character long.": _pair.ngettext(
        "Use at least %(min)d character.", "Use at least %(min)d characters."
    ),
    "Field must be exactly %(max)d character long.": _pair.ngettext(
        "Use exactly %(max)d character.", "Use exactly %(max)d characters."
    ),
}


class _PlainWords:
    """The translations object WTForms asks for its messages (it fills in the placeholders itself)."""

    def gettext(self, string: str) -> str:
        return str(PLAIN_WORDS.get(string, string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        pair = PLAIN_PLURALS.get(singular)
        if pair is not None:
            return get_translations().ungettext(*pair, n)
        return self.gettext(singular if n == 1 else plural)


def keeps_input(view: Callable) -> Callable:
    """Marks a view whose POST validates a form with a CSRF token before it changes anything, and shows that
    form again when it does not validate: a POST with an expired or missing token reaches it (see
    app.csrf.FormCSRFProtect), its form refuses the token, and the page comes back with what was
    typed and EXPIRED_MESSAGE. Other views' POSTs without a valid token are refused before the view."""
    setattr(view, KEEPS_INPUT, True)
    return view


class PlainForm(FlaskForm):
    """A FlaskForm whose messages are in people's words: WTForms' own (PLAIN_WORDS), and an expired or missing
    CSRF token as EXPIRED_MESSAGE, flashed, so the page that shows the form again says what to do. A form
    validated in a request whose token failed (g.csrf_expired) never validates, even one without a token."""

    class Meta:
        def get_translations(self, form):
            return _PlainWords()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        token = getattr(self, "csrf_token", None)
        if (token is not None and token.errors) or g.get("csrf_expired"):
            if token is not None:
                token.errors = [str(EXPIRED_MESSAGE)]
            if not g.get("csrf_expired_told"):
                flash(str(EXPIRED_MESSAGE), "warning")
                g.csrf_expired_told = True
            return False
        return valid


class BaseForm(PlainForm):
    """Refuses control characters in every text field, next to the field (line breaks only in text areas),
    and dates outside the years an event may have (timeutil.EARLIEST_DAY and LATEST_DAY).

    NUL is refused earlier, site-wide, by app/web.py.
    """

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            text = field.data if isinstance(field.data, str) and field.type in TEXT_FIELDS else ""
            if has_control_characters(text, multiline=field.type == "TextAreaField"):
                field.errors = [*field.errors, str(CONTROL_CHARACTERS_MESSAGE)]
                valid = False
            day = field.data.date() if isinstance(field.data, datetime) else field.data
            if isinstance(day, date) and not timeutil.is_plausible_day(day):
                first, last = timeutil.EARLIEST_DAY.year, timeutil.LATEST_DAY.year
                field.errors = [
                    *field.errors,
                    _("Choose a date between the years %(first)s and %(last)s.", first=first, last=last),
                ]
                valid = False
        return valid


def email_address(message: str = _l("Invalid email address.")):
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
            raise ValidationError(str(message)) from None

    return check


def zone_choices(*first: str | None) -> list[SelectChoice]:
    """A short list: the given zones (the one chosen, the event's), then the common ones, each labelled by
    city, country and offset ("Tbilisi, Georgia (UTC+4)"). Any other zone is found by `find_zone`."""
    return [SelectChoice(name, label) for name, label in zones.choices(*first)]


def find_zone(select: str):
    """Validator of a "type a city or country" field beside the zone select named `select`: the one zone
    the words name becomes the select's value; several are put first in the select and named in the error."""

    def check(form, field) -> None:
        search = zones.find(field.data)
        zone_field = form[select]
        if search.zone:
            zone_field.data = search.zone
            zone_field.choices = zone_choices(search.zone)
            field.data = ""
        elif search.text:
            zone_field.choices = zone_choices(*(z.name for z in search.matches), zone_field.data)
            if not search.matches:
                raise ValidationError(search.problem())
            named = "; ".join(z.label() for z in search.matches)
            raise ValidationError(
                _(
                    "Several time zones match “%(text)s”: %(named)s. They are now first in the list: "
                    "choose yours there, or type its city.",
                    text=search.text[:64],
                    named=named,
                )
            )

    return check


# --- the error summary ---------------------------------------------------------------------------

#: The field a warning of each kind is about (the times, the room, the date), the first of them the form has.
WARNING_FIELDS = {
    "overlap": ("starts",),
    "outside_session": ("starts",),
    "double_booked": ("starts",),
    "room_clash": ("location",),
    "past": ("day", "ends_on"),
}


@dataclass(frozen=True)
class Problem:
    """One line of the error summary: its words, the `#id` of the field it is about (or None), the warning's kind."""

    text: str
    href: str | None = None
    kind: str | None = None


class Problems(list):
    """What templates/_error_summary.html lists, with its heading; empty when the submit went through."""

    heading = _l("There is a problem")
    #: Bootstrap's alert class: errors are red, a "save anyway" step is a warning.
    tone = "alert-danger"


def _target(field) -> str | None:
    """Where a summary link goes: the field, a radio group's first option, nothing for a hidden field."""
    if field.type in {"HiddenField", "CSRFTokenField"} or getattr(field.widget, "input_type", "") == "hidden":
        return None
    if field.type == "RadioField":
        return f"#{field.id}-0"
    return f"#{field.id}"


def _told_in_summary(form) -> None:
    """An expired form's sentence is flashed for the pages that show no summary; a page whose summary lists it
    (the token field's error) takes it back from the flashes, so that it is said once."""
    token = getattr(form, "csrf_token", None)
    if token is None or str(EXPIRED_MESSAGE) not in token.errors:
        return
    flashes = session.get("_flashes") or []
    kept = [(category, text) for category, text in flashes if text != str(EXPIRED_MESSAGE)]
    if len(kept) != len(flashes):
        session["_flashes"] = kept


def form_problems(*forms, warnings=(), notes=(), action: str | None = None) -> Problems:
    """The problems a page opens on after a submit that did not go through: each form's errors in the order of
    its fields (its `field_order` where the page shows them in another order; the form-wide ones first), each
    linked to its field; else the "save anyway" step's timeline warnings, linked to the field each is about
    (else to `action`, the button that saves anyway), and `notes` (what saving would cause). A template sets
    `page_problems` to this at its top level, so that base.html's title starts with "Error:", and shows it
    with the error_summary macro."""
    problems = Problems()
    for form in forms:
        _told_in_summary(form)
        problems += [Problem(text) for text in getattr(form, "form_errors", ()) or ()]
        order = {name: i for i, name in enumerate(getattr(form, "field_order", ()))}
        for field in sorted(form, key=lambda f: order.get(f.short_name, len(order))):
            if field.errors:
                text = " ".join(str(e) for e in field.errors)
                href = _target(field)
                problems.append(
                    Problem(_("%(field)s: %(problem)s", field=field.label.text, problem=text) if href else text, href)
                )
    if problems:
        return problems
    form = forms[0] if forms else None
    for warning in warnings:
        names = [n for n in WARNING_FIELDS.get(warning.kind, ()) if form is not None and n in form]
        field = form[names[0]] if names else None
        problems.append(Problem(warning.message, _target(field) if field is not None else action, warning.kind))
    problems += [Problem(note, action) for note in notes if note]
    if problems:
        problems.heading = _("Check the timeline before saving") if warnings else _("Check before saving")
        problems.tone = "alert-warning"
    return problems


def register(app) -> None:
    app.add_template_global(form_problems, "form_problems")
