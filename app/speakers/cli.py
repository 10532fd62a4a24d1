"""`flask speakers ...`: send a speaker their sign-in link."""

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.activity import CommandActor
from app.errors import DomainError
from app.speakers import services
from app.transaction import use_case

speakers_cli = AppGroup("speakers", help="Speakers.")


@speakers_cli.command("send-link")
@click.argument("email")
def send_link(email: str) -> None:
    """Email EMAIL a single-use sign-in link to their speaker pages (through the outbox): the pages show the
    slots of every published event listing someone with that address."""
    try:
        with use_case():
            speaker, _message = services.send_sign_in_link_to(
                email, by=CommandActor("flask speakers send-link"), now=datetime.now(UTC)
            )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Sign-in link for {services.display_name(speaker)} queued for {speaker.email}.")
