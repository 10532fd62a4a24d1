"""`flask privacy retain` applies the retention periods by hand (the outbox worker does it every hour)."""

import click
from flask.cli import AppGroup

from app.activity import CommandActor
from app.models import utcnow
from app.privacy.services import apply_retention
from app.transaction import use_case

privacy_cli = AppGroup("privacy", help="Attendees' personal data: retention.")


@privacy_cli.command("retain")
def privacy_retain() -> None:
    """Clear accessibility needs of ended sessions, anonymise registrations past REGISTRATION_RETENTION_DAYS,
    delete message bodies past MAIL_RETENTION_DAYS; a second run changes nothing."""
    with use_case():
        report = apply_retention(by=CommandActor("flask privacy retain"), now=utcnow())
    click.echo(f"Retention: {report}.")
