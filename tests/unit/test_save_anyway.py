"""The one "save anyway" step of the organiser screens: asked once per set of values, then it lets go."""

from app.organiser.common import needs_confirmation
from app.organiser.forms import SaveAnywayForm


def _form(app, confirm: str | None = None) -> SaveAnywayForm:
    data = {} if confirm is None else {"confirm": confirm}
    with app.test_request_context(method="POST", data=data):
        return SaveAnywayForm(meta={"csrf": False})


def test_needs_confirmation_when_warned_asks_once_then_lets_the_same_values_through(app):
    first = _form(app)

    assert needs_confirmation(first, True, "10:00", "11:00") is True
    key = first.confirm.data
    assert key

    assert needs_confirmation(_form(app, key), True, "10:00", "11:00") is False


def test_needs_confirmation_when_values_changed_after_the_warning_asks_again(app):
    first = _form(app)
    needs_confirmation(first, True, "10:00", "11:00")

    again = _form(app, first.confirm.data)

    assert needs_confirmation(again, True, "10:00", "12:30") is True
    assert again.confirm.data not in ("", first.confirm.data)


def test_needs_confirmation_without_warnings_never_asks(app):
    form = _form(app)

    assert needs_confirmation(form, False, "10:00", "11:00") is False
    assert not form.confirm.data
