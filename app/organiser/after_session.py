"""After a session: its recording links, the import of the video platform's attendance report (a preview,
then a confirm), and the check-in list ticked by hand."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import timeutil
from app.attendance import recordings
from app.attendance import services as attendance
from app.errors import DomainError
from app.forms import keeps_input
from app.models import AgendaItem, EventSession
from app.organiser.common import bp, item_or_404, local_or_none, now, registration_or_404, session_or_404
from app.organiser.forms import (
    AttendanceConfirmForm,
    AttendanceMarkForm,
    AttendanceUploadForm,
    CheckInSearchForm,
    RecordingForm,
)
from app.transaction import use_case

# --- recordings ---------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/recording", methods=["GET", "POST"])
@login_required
@keeps_input
def session_recording(session_id: int):
    event_session = session_or_404(session_id)
    return _recording_page(event_session, event_session)


@bp.route("/items/<int:item_id>/recording", methods=["GET", "POST"])
@login_required
@keeps_input
def item_recording(item_id: int):
    item = item_or_404(item_id)
    return _recording_page(item, item.session)


def _recording_page(target: EventSession | AgendaItem, event_session: EventSession):
    event = event_session.event
    form = RecordingForm(obj=target)
    if request.method == "GET" and target.recording_available_at is not None:
        form.recording_available_at.data = timeutil.to_zone(target.recording_available_at, event.timezone).replace(
            tzinfo=None
        )
    if form.validate_on_submit():
        available_at = local_or_none(event, form.recording_available_at.data)
        try:
            with use_case():
                recordings.set_recording(target, form.recording_url.data, available_at, by=current_user, now=now())
        except recordings.InvalidRecordingLink as error:
            form.recording_url.errors.append(error.message)
        else:
            flash(_("The recording is saved.") if target.recording_url else _("The recording is removed."), "success")
            return redirect(url_for("organiser.session_recording", session_id=event_session.id))
    status = 422 if form.errors else 200
    return render_template(
        "organiser/recording.html",
        event=event,
        event_session=event_session,
        item=target if isinstance(target, AgendaItem) else None,
        form=form,
    ), status


# --- importing the attendance report ------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
@keeps_input
def attendance_import(session_id: int):
    event_session = session_or_404(session_id)
    form, preview = AttendanceUploadForm(), None
    if form.validate_on_submit():
        try:
            preview = attendance.preview_import(event_session, form.report.data.read())
        except DomainError as error:
            form.report.errors = [*form.report.errors, error.message]
    return _import_page(event_session, form, preview)


@bp.post("/sessions/<int:session_id>/attendance/confirm")
@login_required
def attendance_confirm(session_id: int):
    event_session = session_or_404(session_id)
    form = AttendanceConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("organiser.attendance_import", session_id=session_id))
    try:
        with use_case():
            done = attendance.import_attendance(event_session, form.preview.data, by=current_user, now=now())
    except attendance.PreviewOutdated as error:
        flash(error.message, "warning")
        return _import_page(event_session, AttendanceUploadForm(), error.preview)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("organiser.attendance_import", session_id=session_id))
    flash(
        ngettext(
            "Attendance imported: %(num)d registrant marked as attended.",
            "Attendance imported: %(num)d registrants marked as attended.",
            len(done.newly_attended),
        ),
        "success",
    )
    return redirect(url_for("organiser.dashboard", event_id=event_session.event_id))


def _import_page(event_session: EventSession, form: AttendanceUploadForm, preview):
    confirm_form = None
    if preview is not None:
        confirm_form = AttendanceConfirmForm()
        confirm_form.preview.data = preview.token  # the new preview's, not the one a confirm posted
    return render_template(
        "organiser/attendance_import.html",
        event=event_session.event,
        event_session=event_session,
        form=form,
        preview=preview,
        confirm_form=confirm_form,
        max_kb=_max_kb(),
    ), (422 if form.errors else 200)


def _max_kb() -> int:
    return current_app.config["ATTENDANCE_MAX_BYTES"] // 1024


# --- the check-in list --------------------------------------------------------------------------


@bp.get("/sessions/<int:session_id>/check-in")
@login_required
def check_in(session_id: int):
    event_session = session_or_404(session_id)
    search = CheckInSearchForm(request.args)
    search.validate()
    q = "" if search.q.errors else (search.q.data or "")
    return render_template(
        "organiser/check_in.html",
        event=event_session.event,
        event_session=event_session,
        search=search,
        q=q,
        registrants=attendance.check_in_list(event_session, search=q),
        mark_form=AttendanceMarkForm(),
    )


@bp.post("/registrations/<int:registration_id>/attendance")
@login_required
def registration_attendance(registration_id: int):
    registration = registration_or_404(registration_id)
    form = AttendanceMarkForm()
    q = (form.q.data or "")[:100]
    back = url_for("organiser.check_in", session_id=registration.session_id, q=q or None) + f"#r{registration.id}"
    if not form.validate_on_submit() or form.attended.data not in {"0", "1"}:
        flash(_("That change was not sent whole: try again."), "danger")
        return redirect(back)
    attended = form.attended.data == "1"
    name = _("Registration %(id)s", id=registration.id) if registration.is_anonymised else registration.full_name
    try:
        with use_case():
            changed = attendance.mark_attendance(registration, attended, by=current_user, now=now())
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(back)
    if not changed:
        flash(_("%(name)s was already marked so.", name=name), "info")
    elif attended:
        flash(_("%(name)s is marked as attended.", name=name), "success")
    else:
        flash(_("%(name)s is no longer marked as attended.", name=name), "success")
    return redirect(back)
