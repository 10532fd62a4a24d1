"""The site's CSRF protection: every POST needs a valid token, checked before any view; a form view marked
with `app.forms.keeps_input` gives its form back instead (what was typed, and a sentence saying what to do)."""

from flask import current_app, g, request
from flask_wtf import CSRFProtect
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

#: The attribute a view function carries when its form shows itself again on an expired token (app.forms).
KEEPS_INPUT = "keeps_input_when_expired"


class FormCSRFProtect(CSRFProtect):
    """Every POST needs a valid CSRF token, checked before any view, as CSRFProtect does; except that a view
    marked with `app.forms.keeps_input` is let through with a token that fails, with `g.csrf_expired` set, so
    that its form (which checks the same token again, and never validates while g.csrf_expired is set)
    gives the page back with what was typed. Such a view changes nothing unless its form validates. A
    valid token still goes through all of CSRFProtect's checks (the referrer's under HTTPS)."""

    def protect(self, apply_exemptions=False):
        if request.method in current_app.config["WTF_CSRF_METHODS"] and self._keeps_input():
            try:
                validate_csrf(self._get_csrf_token())
            except ValidationError:
                g.csrf_expired = True
                return
        super().protect(apply_exemptions)

    @staticmethod
    def _keeps_input() -> bool:
        view = current_app.view_functions.get(request.endpoint or "")
        return bool(getattr(view, KEEPS_INPUT, False))


csrf = FormCSRFProtect()
