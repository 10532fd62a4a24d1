"""`flask outbox send` delivers what is due and exits; `flask outbox work` keeps delivering until stopped."""

import contextlib
import signal
import threading

import click
from flask.cli import AppGroup

from app.mail.delivery import deliver_all_due, work
from app.models import utcnow
from app.privacy.services import apply_retention
from app.transaction import use_case

#: How often a running worker applies the retention periods (app.privacy.services.apply_retention).
RETENTION_EVERY_SECONDS = 3600.0

outbox_cli = AppGroup("outbox", help="Deliver the emails waiting in the outbox.")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Deliver every message that is due now, then exit."""
    report = deliver_all_due()
    click.echo(f"Outbox: {report}.")


@outbox_cli.command("work")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
def outbox_work(interval: float) -> None:
    """Deliver due messages every few seconds until stopped (Ctrl-C or SIGTERM); several may run at once."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stopping.set())
    click.echo(f"Outbox worker delivering every {interval:g}s; stop with Ctrl-C.")
    with contextlib.suppress(KeyboardInterrupt):
        # Waiting on the event (not sleeping) lets a stop signal end the pause at once.
        work(
            interval=interval,
            should_stop=stopping.is_set,
            on_report=lambda report: click.echo(f"Outbox: {report}."),
            sleep=stopping.wait,
            housekeeping=_retain,
            housekeeping_every=RETENTION_EVERY_SECONDS,
        )
    click.echo("Outbox worker stopped.")


def _retain() -> None:
    """The retention job, from the worker: one line when it changed something, silence otherwise."""
    with use_case():
        report = apply_retention(now=utcnow())
    if report.changed:
        click.echo(f"Retention: {report}.")
