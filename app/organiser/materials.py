"""Materials of items and sessions: the organisers' lists, upload, replace, visibility, delete and download."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.materials import services as materials
from app.materials.forms import MaterialDeleteForm, MaterialEditForm, MaterialUploadForm
from app.materials.uploads import delete, download, save_changes, save_upload
from app.models import AgendaItem, EventSession, Material
from app.organiser.common import bp, item_or_404, now, session_or_404
from app.web import accepts_upload

# The forms here carry a file, which a page cannot give back: they are not `keeps_input` forms, and a POST with an
# expired token gets the "This page had expired" page before the view (nothing is saved).


def material_or_404(material_id: int) -> Material:
    """A material of an event the organiser manages; any other answers 404."""
    material = db.session.get(Material, material_id)
    if material is None:
        abort(404)
    session_or_404(material.session_id)
    return material


@bp.route("/items/<int:item_id>/materials/", methods=["GET", "POST"])
@login_required
@accepts_upload
def item_materials(item_id: int):
    item = item_or_404(item_id)
    return _materials_page(item.session, item)


@bp.route("/sessions/<int:session_id>/materials/", methods=["GET", "POST"])
@login_required
@accepts_upload
def session_materials(session_id: int):
    return _materials_page(session_or_404(session_id), None)


def _materials_page(event_session: EventSession, item: AgendaItem | None):
    form = MaterialUploadForm()
    if form.validate_on_submit():
        saved, material = save_upload(
            form.file,
            lambda checked, stored_name: materials.add_material(
                event_session,
                item=item,
                checked=checked,
                stored_name=stored_name,
                visibility=form.visibility.data,
                by=current_user,
                now=now(),
            ),
        )
        if saved:
            flash(_("“%(name)s” is uploaded.", name=material.file_name), "success")
            return redirect(_list_url(event_session, item))
    rows = materials.item_materials(item) if item is not None else materials.session_materials(event_session)
    return (
        render_template(
            "organiser/materials.html",
            event=event_session.event,
            event_session=event_session,
            item=item,
            materials=rows,
            uploader=materials.uploader_label,
            form=form,
        ),
        400 if form.errors else 200,
    )


def _list_url(event_session: EventSession, item: AgendaItem | None) -> str:
    if item is not None:
        return url_for("organiser.item_materials", item_id=item.id)
    return url_for("organiser.session_materials", session_id=event_session.id)


@bp.route("/materials/<int:material_id>/", methods=["GET", "POST"])
@login_required
@accepts_upload
def material_edit(material_id: int):
    material = material_or_404(material_id)
    form = MaterialEditForm(data=None if request.method == "POST" else {"visibility": material.visibility.value})
    if form.validate_on_submit() and save_changes(material, form, by=current_user, now=now()):
        return redirect(_list_url(material.session, material.item))
    return (
        render_template(
            "organiser/material_edit.html",
            event=material.event,
            event_session=material.session,
            item=material.item,
            material=material,
            uploader=materials.uploader_label(material),
            file_endpoint="organiser.material_file",
            form=form,
            delete_form=MaterialDeleteForm(formdata=None),
        ),
        400 if form.errors else 200,
    )


@bp.post("/materials/<int:material_id>/delete")
@login_required
def material_delete(material_id: int):
    material = material_or_404(material_id)
    if not MaterialDeleteForm().validate_on_submit():
        abort(400)
    back = _list_url(material.session, material.item)
    name = delete(material, by=current_user, now=now())
    flash(_("“%(name)s” is deleted.", name=name), "success")
    return redirect(back)


@bp.get("/materials/<int:material_id>/file")
@login_required
def material_file(material_id: int):
    return download(material_or_404(material_id))
