"""The synopsis report's screens: notes and summaries (organisers and the event's rapporteurs), the event's
typologies and the matrix, and the draft report as HTML, DOCX and PDF."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import i18n
from app.errors import DomainError
from app.extensions import db
from app.forms import keeps_input
from app.models import AgendaItem, EventSession
from app.organiser.common import apply, bp, check_confirm_form, event_or_404, form_fields, now
from app.organiser.forms import ConfirmForm, NoteForm, PlacementForm, RapporteurForm, TypologyForm
from app.report import services as report_services
from app.report.document import build_report
from app.report.docx import render_docx
from app.report.pdf import render_pdf
from app.transaction import use_case

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _note_event_or_404(event_id: int, *options):
    event = report_services.note_event(current_user, event_id, *options)
    if event is None:
        abort(404)
    return event


def _noted_item_or_404(item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id) or abort(404)
    _note_event_or_404(item.session.event_id)
    return item


def _noted_session_or_404(session_id: int) -> EventSession:
    event_session = db.session.get(EventSession, session_id) or abort(404)
    _note_event_or_404(event_session.event_id)
    return event_session


# --- notes --------------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/notes/", methods=["GET", "POST"])
@login_required
@keeps_input
def notes(event_id: int):
    """The agenda with a note link per item and a summary per session; organisers also name rapporteurs here."""
    event = _note_event_or_404(event_id, *report_services.NOTES_INDEX_OPTIONS)
    manages = report_services.accounts.can_manage(current_user, event)
    form = RapporteurForm()
    if manages and form.validate_on_submit():
        try:
            with use_case():
                named = report_services.add_rapporteur(event, form.email.data, by=current_user, now=now())
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            flash(_("%(email)s can now write this event's notes.", email=named.email), "success")
            return redirect(url_for("organiser.notes", event_id=event.id))
    elif request.method == "POST" and not manages:
        abort(404)
    return render_template(
        "report/notes.html",
        event=event,
        manages=manages,
        form=form,
        rapporteurs=report_services.rapporteurs(event) if manages else [],
        remove_form=ConfirmForm(),
        written=report_services.written_notes(event),
    )


@bp.post("/events/<int:event_id>/rapporteurs/<int:rapporteur_id>/remove")
@login_required
def rapporteur_remove(event_id: int, rapporteur_id: int):
    """Organisers of the event take a rapporteur off it; a rapporteur of it, like anyone else, gets 404."""
    event = event_or_404(event_id)
    check_confirm_form()
    try:
        with use_case():
            removed = report_services.remove_rapporteur(event, rapporteur_id, by=current_user, now=now())
    except DomainError:
        abort(404)
    flash(_("%(email)s no longer writes this event's notes.", email=removed.email), "success")
    return redirect(url_for("organiser.notes", event_id=event.id))


def _edit_note(*, item: AgendaItem | None = None, event_session: EventSession | None = None):
    event = item.session.event if item is not None else event_session.event
    note = report_services.item_note(item) if item is not None else report_services.session_note(event_session)
    form = NoteForm()
    if request.method == "GET":
        form.body.data, form.version.data = (note.body, str(note.version)) if note else ("", "0")
    if form.validate_on_submit():
        try:
            with use_case():
                report_services.save_note(
                    item=item,
                    event_session=event_session,
                    body=form.body.data or "",
                    based_on=int(form.version.data) if (form.version.data or "").isdigit() else -1,
                    by=current_user,
                    now=now(),
                )
        except report_services.StaleNote as error:
            form.body.errors.append(error.message)  # the text typed stays in the field, the newer one above it
            note = report_services.item_note(item) if item is not None else report_services.session_note(event_session)
            form.version.data = str(note.version) if note else "0"
        except DomainError as error:
            form.body.errors.append(error.message)
        else:
            flash(_("The note is saved."), "success")
            return redirect(request.path)
    return render_template(
        "report/note.html", event=event, item=item, event_session=event_session, note=note, form=form
    )


@bp.route("/items/<int:item_id>/note", methods=["GET", "POST"])
@login_required
@keeps_input
def item_note(item_id: int):
    return _edit_note(item=_noted_item_or_404(item_id))


@bp.route("/sessions/<int:session_id>/summary", methods=["GET", "POST"])
@login_required
@keeps_input
def session_summary(session_id: int):
    return _edit_note(event_session=_noted_session_or_404(session_id))


# --- typologies ---------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/typologies/", methods=["GET", "POST"])
@login_required
@keeps_input
def typologies(event_id: int):
    event = event_or_404(event_id)
    form = TypologyForm()
    if form.validate_on_submit():
        try:
            with use_case():
                fields = form_fields(form, ("name", "description", "name_fr", "description_fr"))
                typology = report_services.add_typology(event, by=current_user, now=now(), **fields)
        except DomainError as error:
            form.name.errors.append(error.message)
        else:
            flash(_("The category “%(name)s” is added.", name=typology.name), "success")
            return redirect(url_for("organiser.typologies", event_id=event.id))
    return render_template(
        "report/typologies.html",
        event=event,
        form=form,
        matrix=report_services.typologies(event),
        items=report_services.placeable_items(event),
    )


@bp.route("/events/<int:event_id>/typologies/publish", methods=["GET", "POST"])
@login_required
def typologies_publish(event_id: int):
    """Asks first, then puts the matrix on the event's public pages (or takes it off them)."""
    event = event_or_404(event_id)
    if request.method == "POST":
        check_confirm_form()
        publish = not event.typologies_published
        apply(
            lambda: report_services.publish_typologies(event, publish, by=current_user, now=now()),
            lambda _done: (
                _("The matrix is on the event's public pages.")
                if publish
                else _("The matrix is off the event's public pages.")
            ),
        )
        return redirect(url_for("organiser.typologies", event_id=event.id))
    return render_template("report/typologies_publish.html", event=event, action_form=ConfirmForm())


@bp.route("/items/<int:item_id>/typologies", methods=["GET", "POST"])
@login_required
def item_typologies(item_id: int):
    item = db.session.get(AgendaItem, item_id) or abort(404)
    event = event_or_404(item.session.event_id)
    matrix = report_services.typologies(event)
    form = PlacementForm()
    form.typologies.choices = [(t.id, i18n.localised(t, "title")) for t in matrix]
    if request.method == "GET":
        form.typologies.data = [t.id for t in matrix if item in t.items]
    if form.validate_on_submit():
        chosen = form.typologies.data or []
        if apply(
            lambda: report_services.place_item(item, chosen, by=current_user, now=now()),
            lambda _done: _("The categories of “%(title)s” are saved.", title=item.title),
        ):
            return redirect(url_for("organiser.typologies", event_id=event.id))
    return render_template("report/item_typologies.html", event=event, item=item, form=form)


# --- the draft report ---------------------------------------------------------------------------


def _report_language() -> str:
    asked = request.args.get("lang")
    return asked if i18n.is_available(asked) else i18n.current_language()


def _report_html(event, language: str, *, tools: bool) -> str:
    with i18n.in_language(language):
        report = build_report(event.id, now=now())
        links = None
        if tools:
            links = {
                "back": url_for("organiser.event_detail", event_id=event.id),
                "docx": url_for("organiser.report_docx", event_id=event.id, lang=language),
                "pdf": url_for("organiser.report_pdf", event_id=event.id, lang=language),
                "languages": [
                    {
                        "code": code,
                        "label": i18n.language_name(code),
                        "url": url_for("organiser.report", event_id=event.id, lang=code),
                    }
                    for code in i18n.available_languages()
                    if code != language
                ],
            }
        return render_template("report/report.html", report=report, tools=links)


@bp.get("/events/<int:event_id>/report")
@login_required
def report(event_id: int):
    """The draft report as a printable page, in the page's language or `?lang=`."""
    event = event_or_404(event_id)
    return _report_html(event, _report_language(), tools=True)


def _download(body: bytes, mimetype: str, event, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    filename = f"{event.slug}-report.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/events/<int:event_id>/report.docx")
@login_required
def report_docx(event_id: int):
    event = event_or_404(event_id)
    with i18n.in_language(_report_language()):
        body = render_docx(build_report(event.id, now=now()))
    return _download(body, DOCX_TYPE, event, "docx")


@bp.get("/events/<int:event_id>/report.pdf")
@login_required
def report_pdf(event_id: int):
    event = event_or_404(event_id)
    return _download(render_pdf(_report_html(event, _report_language(), tools=False)), "application/pdf", event, "pdf")
