"""The event's mail: what the outbox holds for it, one message as it was sent, sending one again."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.extensions import db
from app.models import Event, OutboxStatus
from app.organiser import reports
from app.organiser.common import apply, bp, check_confirm_form, event_or_404, message_or_404, now
from app.organiser.forms import ConfirmForm

#: A message's status as the filter's tabs name it, and as a row's badge says it.
STATUS_LABELS = {
    OutboxStatus.QUEUED: _l("Queued"),
    OutboxStatus.SENDING: _l("Sending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.RETRYING: _l("Retrying"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.CANCELLED: _l("Cancelled"),
}
STATUS_WORDS = {
    OutboxStatus.QUEUED: _l("queued"),
    OutboxStatus.SENDING: _l("sending"),
    OutboxStatus.SENT: _l("sent"),
    OutboxStatus.RETRYING: _l("retrying"),
    OutboxStatus.FAILED: _l("failed"),
    OutboxStatus.CANCELLED: _l("cancelled"),
}


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
        status_labels=STATUS_LABELS,
        status_words=STATUS_WORDS,
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
        status_words=STATUS_WORDS,
        action_form=ConfirmForm(),
    )


@bp.post("/outbox/<int:message_id>/resend")
@login_required
def outbox_resend(message_id: int):
    message = message_or_404(message_id)
    check_confirm_form()
    apply(
        lambda: reports.resend_message(message, by=current_user, now=now()),
        lambda _result: _("The message to %(address)s is queued again.", address=message.to_address),
    )
    return redirect(url_for("organiser.outbox", event_id=message.event_id))
