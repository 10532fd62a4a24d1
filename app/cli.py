"""Flask command groups: parse arguments, call a service, print one line."""

from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup

from app.demo.loader import load_demo
from app.mail.cli import outbox_cli
from app.organiser.cli import organisers_cli
from app.speakers.cli import speakers_cli

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the MPF Exchange Event (does nothing if it is already there)."""
    now = datetime.now(UTC)
    result = load_demo(today=now.date(), now=now)
    if result.created:
        click.echo(f"Loaded {result.event.title} ({result.event.starts_on} and {result.event.ends_on}).")
    else:
        click.echo(f"{result.event.title} is already loaded; nothing changed.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(speakers_cli)
    app.cli.add_command(organisers_cli)
