"""Flask command groups: parse arguments, call a service, print one line."""

from datetime import UTC, datetime, timedelta

import click
from flask import Flask
from flask.cli import AppGroup

from app.demo.loader import load_demo
from app.demo.synth import refresh_statistics, synthesise_event
from app.mail.cli import outbox_cli
from app.organiser.cli import organisers_cli
from app.privacy.cli import privacy_cli
from app.speakers.cli import speakers_cli
from app.transaction import use_case

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the MPF Exchange Event (does nothing if it is already there)."""
    now = datetime.now(UTC)
    with use_case():
        result = load_demo(today=now.date(), now=now)
    if result.created:
        click.echo(
            f"Loaded {result.event.title} ({result.event.starts_on} and {result.event.ends_on}); "
            "organisers sign in at /organiser/ as organiser@example.org with the password mpf-demo-organiser."
        )
    else:
        click.echo(f"{result.event.title} is already loaded; nothing changed.")


@demo_cli.command("synth")
@click.option("--slug", default="synth", show_default=True, help="Slug of the generated event.")
@click.option("--items", default=200, show_default=True)
@click.option("--sessions", default=5, show_default=True)
@click.option("--people", default=120, show_default=True)
@click.option("--registrations", default=3000, show_default=True, help="Confirmed registrations in the online session.")
def demo_synth(slug: str, items: int, sessions: int, people: int, registrations: int) -> None:
    """Generate a large event for load tests (does nothing if the slug exists)."""
    now = datetime.now(UTC)
    with use_case():
        result = synthesise_event(
            slug=slug,
            first_day=now.date() + timedelta(days=30),
            now=now,
            items=items,
            sessions=sessions,
            people=people,
            registrations=registrations,
        )
    if result.created:
        refresh_statistics()
    state = "Generated" if result.created else "Already there, nothing changed:"
    click.echo(
        f"{state} /events/{slug}/ (online session {result.online_session.id}, organiser {result.organiser_email})."
    )


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(speakers_cli)
    app.cli.add_command(organisers_cli)
    app.cli.add_command(privacy_cli)
