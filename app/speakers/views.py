"""Speakers' sign-in by link, their slots, feed and profile (under /speaker/)."""

from datetime import UTC, datetime
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from app import timeutil, zones
from app.calendar.links import webcal
from app.errors import DomainError, InvalidToken
from app.extensions import db, limiter
from app.forms import keeps_input
from app.i18n import current_language, on_language_chosen
from app.materials import services as materials
from app.materials.forms import MaterialDeleteForm, MaterialEditForm, MaterialUploadForm
from app.materials.uploads import delete, download, save_changes, save_upload
from app.models import AppearanceResponse, Speaker
from app.render_cache import render_cache
from app.security import hash_token
from app.speakers import services
from app.speakers.forms import (
    ActionForm,
    ProfileForm,
    ResponseForm,
    SignInConfirmForm,
    SignInRequestForm,
    TimezoneForm,
)
from app.speakers.sanitise import render_bio
from app.survey import services as survey
from app.text import well_formed_email
from app.transaction import use_case
from app.urls import external_url
from app.web import accepts_upload

bp = Blueprint("speakers", __name__, url_prefix="/speaker")

#: Keys of the signed-in speaker's id and session version in the Flask session (organisers use Flask-Login).
SESSION_KEY = "speaker_id"
VERSION_KEY = "speaker_version"
NEW_FEED_TOKEN_KEY = "speaker_new_feed_token"


def _now() -> datetime:
    return datetime.now(UTC)


def speaker_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        speaker_id, version = session.get(SESSION_KEY), session.get(VERSION_KEY)
        speaker = db.session.get(Speaker, speaker_id) if isinstance(speaker_id, int) else None
        # A session signed out everywhere holds an older version than the speaker's: it ends here.
        if speaker is None or not isinstance(version, int) or version != speaker.session_version:
            _forget_speaker()
            flash(_("Please sign in with a link sent to your email address."), "warning")
            return redirect(url_for("speakers.sign_in"))
        g.speaker = speaker
        g.speaker_person = services.profile_person(speaker)
        return view(*args, **kwargs)

    return wrapped


def _remember_language(code: str) -> None:
    """The switch, used by a signed-in speaker: their emails follow the language they now read their pages in."""
    speaker_id, version = session.get(SESSION_KEY), session.get(VERSION_KEY)
    speaker = db.session.get(Speaker, speaker_id) if isinstance(speaker_id, int) else None
    if speaker is not None and version == speaker.session_version:
        with use_case():
            services.remember_language(speaker, code)


on_language_chosen(bp, _remember_language)


def _forget_speaker() -> None:
    for key in (SESSION_KEY, VERSION_KEY, NEW_FEED_TOKEN_KEY):
        session.pop(key, None)


@bp.context_processor
def _speaker_context():
    # Only its CSRF token is used: never built from the request's body (which may be anything, even on an
    # error page).
    return {"speaker": g.get("speaker"), "me": g.get("speaker_person"), "sign_out_form": ActionForm(formdata=None)}


def _email_key() -> str:
    return "speaker-link-email:" + (well_formed_email(request.form.get("email")) or "")


def _no_email() -> bool:
    """Only well-formed addresses are counted per address: blanks and typos do not share one counter."""
    return well_formed_email(request.form.get("email")) is None


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SPEAKER_LINK_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["SPEAKER_LINK_LIMIT_PER_EMAIL"],
    methods=["POST"],
    key_func=_email_key,
    exempt_when=_no_email,
)
@keeps_input
def sign_in():
    form = SignInRequestForm()
    if form.validate_on_submit():
        with use_case():
            services.request_sign_in_link(form.email.data, now=_now())
        return redirect(url_for("speakers.link_sent"))
    return render_template("speakers/sign_in.html", form=form), 400 if form.errors else 200


@bp.get("/sign-in/sent")
def link_sent():
    return render_template("speakers/link_sent.html")


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
def use_link(token: str):
    form = SignInConfirmForm()
    # The token is in the address: app/web.py sends no Referer from this page and keeps it out of caches.
    try:
        if not form.validate_on_submit():
            services.check_sign_in_link(token, now=_now())
            return render_template("speakers/confirm_sign_in.html", form=form), 200
        with use_case():
            speaker = services.sign_in_with_link(token, now=_now(), language=current_language())
    except InvalidToken as error:
        return render_template("speakers/link_invalid.html", reason=error.message), 410
    _forget_speaker()
    session[SESSION_KEY] = speaker.id
    session[VERSION_KEY] = speaker.session_version
    return redirect(url_for("speakers.slots"))


@bp.post("/sign-out")
def sign_out():
    """Ends the session of this browser."""
    if ActionForm().validate_on_submit():
        _forget_speaker()
        flash(_("You are signed out."), "info")
    return redirect(url_for("speakers.sign_in"))


@bp.post("/sign-out-everywhere")
@speaker_required
def sign_out_everywhere():
    """Ends every session of the speaker, in every browser (this one too)."""
    if ActionForm().validate_on_submit():
        with use_case():
            services.sign_out_everywhere(g.speaker, now=_now())
        _forget_speaker()
        flash(_("You are signed out everywhere: every browser must sign in again with a new link."), "info")
        return redirect(url_for("speakers.sign_in"))
    return redirect(url_for("speakers.slots"))


@bp.get("/")
@speaker_required
def slots():
    zone = timeutil.zone_or(g.speaker.timezone, "")
    form = TimezoneForm(formdata=None, timezone=zone or None)
    return render_template("speakers/slots.html", slots=services.list_slots(g.speaker), zone=zone, form=form)


@bp.post("/timezone")
@speaker_required
@keeps_input
def set_timezone():
    form = TimezoneForm()
    if form.validate_on_submit():
        with use_case():
            services.set_speaker_timezone(g.speaker, form.timezone.data, now=_now())
        flash(_("Times are now shown in %(zone)s as well.", zone=zones.label(form.timezone.data)), "success")
        return redirect(url_for("speakers.slots"))
    zone = timeutil.zone_or(g.speaker.timezone, "")
    page = render_template("speakers/slots.html", slots=services.list_slots(g.speaker), zone=zone, form=form)
    return page, 400


@bp.route("/slots/<int:appearance_id>/", methods=["GET", "POST"])
@speaker_required
@keeps_input
def slot(appearance_id: int):
    appearance = _own_appearance(appearance_id)
    form = ResponseForm(data=None if request.method == "POST" else _previous_answer(appearance))
    if form.validate_on_submit():
        try:
            with use_case():
                services.respond_to_slot(
                    appearance, response=form.response.data, note=form.note.data or "", by=g.speaker, now=_now()
                )
        except DomainError as error:
            form.response.errors.append(error.message)
        else:
            flash(_("Thank you: your answer for “%(title)s” is saved.", title=appearance.item.title), "success")
            return redirect(url_for("speakers.slots"))
    found = next(s for s in services.list_slots(g.speaker) if s.appearance.id == appearance.id)
    zone = timeutil.zone_or(g.speaker.timezone, "")
    files = materials.speakers_item_materials(g.speaker, appearance)
    results = survey.survey_results(found.session) if _now() >= found.session.ends_at else None
    return render_template(
        "speakers/slot.html",
        slot=found,
        form=form,
        zone=zone,
        materials=files,
        results=results,
        event=found.event,
        shown_prompt=survey.shown_prompt,
    ), 400 if form.errors else 200


@bp.route("/slots/<int:appearance_id>/materials", methods=["GET", "POST"])
@speaker_required
@accepts_upload
def slot_materials(appearance_id: int):
    """The speaker's files for one of their slots, and the upload form."""
    appearance = _own_appearance(appearance_id)
    item = appearance.item
    form = MaterialUploadForm()
    if form.validate_on_submit():
        saved, material = save_upload(
            form.file,
            lambda checked, stored_name: materials.add_material(
                item.session,
                item=item,
                checked=checked,
                stored_name=stored_name,
                visibility=form.visibility.data,
                by=appearance.person,
                now=_now(),
            ),
        )
        if saved:
            flash(_("“%(name)s” is uploaded.", name=material.file_name), "success")
            return redirect(url_for("speakers.slot_materials", appearance_id=appearance.id))
    files = materials.speakers_item_materials(g.speaker, appearance)
    return (
        render_template("speakers/materials.html", appearance=appearance, item=item, materials=files, form=form),
        400 if form.errors else 200,
    )


@bp.route("/materials/<int:material_id>/", methods=["GET", "POST"])
@speaker_required
@accepts_upload
def material_edit(material_id: int):
    material = _own_material(material_id)
    form = MaterialEditForm(data=None if request.method == "POST" else {"visibility": material.visibility.value})
    by = material.uploaded_by_person
    if form.validate_on_submit() and save_changes(material, form, by=by, now=_now()):
        return redirect(url_for("speakers.material_edit", material_id=material.id))
    return (
        render_template(
            "speakers/material_edit.html",
            material=material,
            event_session=material.session,
            file_endpoint="speakers.material_file",
            back=_slot_of(material),
            form=form,
            delete_form=MaterialDeleteForm(formdata=None),
        ),
        400 if form.errors else 200,
    )


@bp.post("/materials/<int:material_id>/delete")
@speaker_required
def material_delete(material_id: int):
    material = _own_material(material_id)
    if not MaterialDeleteForm().validate_on_submit():
        abort(400)
    back = _slot_of(material)
    name = delete(material, by=material.uploaded_by_person, now=_now())
    flash(_("“%(name)s” is deleted.", name=name), "success")
    return redirect(back)


@bp.get("/materials/<int:material_id>/file")
@speaker_required
def material_file(material_id: int):
    return download(_own_material(material_id))


def _own_material(material_id: int):
    try:
        return materials.speakers_material(g.speaker, material_id)
    except DomainError:
        abort(404)


def _slot_of(material) -> str:
    """The page of the speaker's slot the file belongs to (their list of slots if they no longer hold it)."""
    for slot in services.list_slots(g.speaker):
        if slot.appearance.item_id == material.item_id:
            return url_for("speakers.slot_materials", appearance_id=slot.appearance.id)
    return url_for("speakers.slots")


@bp.get("/slots/<int:appearance_id>/invite.ics")
@speaker_required
def slot_invite(appearance_id: int):
    appearance = _own_appearance(appearance_id)
    method = services.slot_download_method(appearance)
    response = make_response(services.slot_invite(appearance, method=method, now=_now()))
    response.headers["Content-Type"] = f"text/calendar; charset=utf-8; method={method}"
    response.headers["Content-Disposition"] = f'attachment; filename="slot-{appearance.id}.ics"'
    return response


@bp.get("/calendar")
@speaker_required
def calendar():
    token = session.pop(NEW_FEED_TOKEN_KEY, None)
    # On SERVER_BASE_URL, never on the request's Host header: a forged host must not get the address shown.
    feed_url = external_url("speakers.feed", token=token) if token else None
    return render_template(
        "speakers/calendar.html",
        feed_url=feed_url,
        subscribe_url=webcal(feed_url) if feed_url else None,
        has_feed=bool(g.speaker.feed_token_hash),
        form=ActionForm(),
    )


@bp.post("/calendar/feed")
@speaker_required
def reset_feed():
    if ActionForm().validate_on_submit():
        with use_case():
            session[NEW_FEED_TOKEN_KEY] = services.reset_feed_token(g.speaker, now=_now())
    return redirect(url_for("speakers.calendar"))


@bp.get("/feed/<token>.ics")
def feed(token: str):
    # Calendar clients poll: the token's owner and the fingerprint of the owner's slots are both trusted for
    # PUBLIC_CACHE_SECONDS (a reset token or a changed slot is seen at once by this process, by others after
    # at most that long), so an unchanged feed usually costs no query at all.
    cache = render_cache()
    owner = cache.version(("speaker-feed-token", hash_token(token[:100])), lambda _key: services.feed_owner(token))
    if owner is None:
        return render_template("speakers/feed_unknown.html"), 404
    (speaker_id,) = owner
    version = cache.version(("speaker-feed", speaker_id), lambda _key: services.speaker_feed_version(speaker_id))
    key = ("speakers.feed", speaker_id, version)
    body = cache.get(key)
    if body is None:
        body = services.speaker_feed(db.session.get_one(Speaker, speaker_id))
        cache.put(key, body)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, no-cache"  # polled with If-None-Match (see app/web.py)
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/profile", methods=["GET", "POST"])
@speaker_required
@keeps_input
def profile():
    me = g.speaker_person
    form = ProfileForm(obj=me)
    if form.validate_on_submit():
        try:
            with use_case():
                events = services.update_profile(
                    g.speaker,
                    honorific=form.honorific.data or "",
                    name=form.name.data,
                    position=form.position.data or "",
                    organisation=form.organisation.data or "",
                    bio=form.bio.data or "",
                    by=g.speaker,
                    now=_now(),
                )
        except DomainError as error:
            form.name.errors.append(error.message)
        else:
            titles = _("; ").join(_("“%(title)s”", title=event.title) for event in events)
            flash(_("Your profile is saved for every event you appear in: %(titles)s.", titles=titles), "success")
            return redirect(url_for("speakers.profile"))
    preview = render_bio(me.bio if me is not None else "")
    return (
        render_template("speakers/profile.html", form=form, preview=preview, events=services.speaker_events(g.speaker)),
        400 if form.errors else 200,
    )


@bp.get("/questions")
@speaker_required
def questions():
    return render_template("speakers/questions.html", questions=services.list_questions(g.speaker))


def _own_appearance(appearance_id: int):
    try:
        return services.get_own_appearance(g.speaker, appearance_id)
    except DomainError:
        abort(404)


def _previous_answer(appearance) -> dict:
    """The form starts from the answer already given (a POST starts from what was sent, nothing else)."""
    answered = appearance.response != AppearanceResponse.PENDING
    return {"response": appearance.response.value if answered else None, "note": appearance.response_note}
