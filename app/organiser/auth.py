"""Sign-in and the account: signing in and out, changing the password, resetting a forgotten one."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.errors import DomainError, InvalidToken, LinkExpired, LinkUsed
from app.extensions import limiter
from app.forms import keeps_input
from app.i18n import current_language, on_language_chosen
from app.organiser import services as accounts
from app.organiser.common import bp, now
from app.organiser.forms import ChangePasswordForm, ConfirmForm, ResetPasswordForm, ResetRequestForm, SignInForm
from app.text import has_control_characters, well_formed_email
from app.transaction import use_case


def _sign_in_email_key() -> str:
    return "sign-in-email:" + (well_formed_email(request.form.get("email")) or "")


def _no_email() -> bool:
    """Failures are counted per address only for well-formed ones (the per-IP limit counts all of them)."""
    return well_formed_email(request.form.get("email")) is None


def _password_change_key() -> str:
    return f"password-change:{getattr(current_user, 'id', '')}"


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _failed(response) -> bool:
    # Only failures count: a successful sign-in redirects.
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    """A local /organiser address to go back to; anything else (another site, a control character that
    would split the Location header) goes to the organiser's home."""
    if (
        target
        and target.startswith("/organiser")
        and "\\" not in target
        and not has_control_characters(target)
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("organiser.index")


def _remember_language(code: str) -> None:
    """The switch, used by a signed-in organiser: their emails follow the language they now work in."""
    if current_user.is_authenticated:
        with use_case():
            accounts.remember_language(current_user, code)


on_language_chosen(bp, _remember_language)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], deduct_when=_failed, scope="sign-in-ip")
@limiter.limit(
    _sign_in_limit, key_func=_sign_in_email_key, methods=["POST"], deduct_when=_failed, exempt_when=_no_email
)
@keeps_input
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("organiser.index"))
    form = SignInForm()
    if form.validate_on_submit():
        organiser = accounts.authenticate_organiser(form.email.data, form.password.data)
        if organiser is not None:
            with use_case():
                accounts.remember_language(organiser, current_language())
            session.clear()  # no session fixation: a fresh session for the signed-in organiser
            login_user(organiser)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("The email or password is not right."))
    return render_template("organiser/sign_in.html", form=form), 200


@bp.post("/sign-out")
@login_required
def sign_out():
    ConfirmForm().validate_on_submit()  # checks the CSRF token when CSRF is on
    with use_case():
        accounts.end_sessions(current_user._get_current_object(), now=now())
    logout_user()
    session.clear()
    flash(_("You are signed out, here and in every other browser."), "info")
    return redirect(url_for("organiser.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_sign_in_limit, key_func=_password_change_key, methods=["POST"], deduct_when=_failed)
@keeps_input
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with use_case():
                organiser = accounts.change_password(
                    current_user._get_current_object(), form.current_password.data, form.new_password.data, now=now()
                )
        except accounts.WrongPassword as error:
            form.current_password.errors.append(error.message)
        except DomainError as error:
            form.new_password.errors.append(error.message)
        else:
            session.clear()
            login_user(organiser)  # this browser stays signed in, with the new session version
            flash(
                _("Your password is changed. Every other browser signed in to your account is signed out."), "success"
            )
            return redirect(url_for("organiser.index"))
    return render_template("organiser/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], scope="reset-ip")
@keeps_input
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        with use_case():
            accounts.request_password_reset(form.email.data, now=now())
        flash(_("If an account exists for that address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("organiser.sign_in"))
    return render_template("organiser/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@keeps_input
def reset_password(token: str):
    form = ResetPasswordForm()
    # The token is in the address: no Referer header may carry it to another page.
    headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    try:
        if form.validate_on_submit():
            with use_case():
                accounts.reset_password(token, form.password.data, now=now())
            flash(_("Your password is changed. Sign in with it now."), "success")
            return redirect(url_for("organiser.sign_in"))
        accounts.check_reset_token(token, now=now())
    except InvalidToken as error:
        status = 410 if isinstance(error, LinkUsed | LinkExpired) else 404
        return render_template("organiser/reset_invalid.html", reason=error.message), status, headers
    except DomainError as error:
        form.password.errors.append(error.message)
    return render_template("organiser/reset_password.html", form=form), 200, headers
