"""The event's mail: what the outbox holds for it, one message as it was sent, sending one again."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.models import Event
from app.organiser import reports
from app.organiser.common import apply, bp, check_confirm_form, event_or_404, message_or_404, now
from app.organiser.forms import ConfirmForm


@bp.get("/events/<int:event_id>/outbox/")
@login_required
def outbox(event_id: int):
    event = event_or_404(event_id)
    status = request.args.get("status") or None
    return render_template(
        "organiser/outbox.html",
        event=event,
        messages=reports.event_messages(event, status=status),
        counts=reports.outbox_counts(event),
        status=status,
        action_form=ConfirmForm(),
    )


@bp.get("/outbox/<int:message_id>")
@login_required
def outbox_message(message_id: int):
    message = message_or_404(message_id)
    return render_template(
        "organiser/outbox_message.html",
        event=db.session.get(Event, message.event_id),
        message=message,
        body_text=reports.shown_text(message, message.body_text),
        ics=reports.shown_text(message, message.ics),
        action_form=ConfirmForm(),
    )


@bp.post("/outbox/<int:message_id>/resend")
@login_required
def outbox_resend(message_id: int):
    message = message_or_404(message_id)
    check_confirm_form()
    apply(
        lambda: reports.resend_message(message, by=current_user, now=now()),
        lambda _: f"The message to {message.to_address} is queued again.",
    )
    return redirect(url_for("organiser.outbox", event_id=message.event_id))
