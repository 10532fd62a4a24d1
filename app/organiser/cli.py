"""`flask organisers`: make and disable organiser accounts (passwords from a prompt or stdin only)."""

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.activity import CommandActor
from app.errors import DomainError
from app.organiser.services import add_event_organiser, create_organiser, disable_organiser, find_event
from app.report.services import add_rapporteur
from app.transaction import use_case

organisers_cli = AppGroup("organisers", help="Organiser accounts.")


def _now() -> datetime:
    return datetime.now(UTC)


@organisers_cli.command("create")
@click.argument("email")
@click.option("--name", default="", help="The organiser's name.")
@click.option("--admin", is_flag=True, help="May manage every event.")
def organisers_create(email: str, name: str, admin: bool) -> None:
    """Create an account; the password is asked for (or read from stdin), never given as an argument."""
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with use_case():
            organiser = create_organiser(
                email, password, name=name, is_admin=admin, by=CommandActor("flask organisers create"), now=_now()
            )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Created {'admin ' if organiser.is_admin else ''}organiser {organiser.email}.")


@organisers_cli.command("disable")
@click.argument("email")
def organisers_disable(email: str) -> None:
    """Disable an account: it can no longer sign in, and every session it has ends at once."""
    try:
        with use_case():
            organiser = disable_organiser(email, by=CommandActor("flask organisers disable"), now=_now())
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Disabled organiser {organiser.email}.")


@organisers_cli.command("grant")
@click.argument("email")
@click.argument("event_slug")
def organisers_grant(email: str, event_slug: str) -> None:
    """List an organiser on an event (by its web address), so that they manage it."""
    try:
        with use_case():
            event = find_event(event_slug)
            organiser = add_event_organiser(event, email, by=CommandActor("flask organisers grant"), now=_now())
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"{organiser.email} now manages {event.title}.")


@organisers_cli.command("rapporteur")
@click.argument("email")
@click.argument("event_slug")
def organisers_rapporteur(email: str, event_slug: str) -> None:
    """Name an account rapporteur of an event: it may write that event's notes, and nothing else of it."""
    try:
        with use_case():
            event = find_event(event_slug)
            organiser = add_rapporteur(event, email, by=CommandActor("flask organisers rapporteur"), now=_now())
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"{organiser.email} now writes the notes of {event.title}.")
