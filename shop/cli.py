"""The ``flask shop …`` commands for operators and cron."""
import click
from flask import current_app
from flask.cli import AppGroup

from .accounts.services import create_user
from .clock import utcnow
from .courses.services import send_reminders
from .errors import ShopError
from .integrity import check_integrity
from .jobs.work import release_expired
from .mail.outbox import send_outbox
from .search.services import reindex
from .seed import is_empty, seed_demo

shop_cli = AppGroup("shop", help="City Farm shop commands.")


@shop_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the catalogue has no products yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo catalogue, courses and cohorts (idempotent)."""
    if if_empty and not is_empty():
        click.echo("Catalogue already has products; nothing loaded.")
        return
    added = seed_demo(utcnow())
    click.echo(f"Demo catalogue loaded: {added} new products.")


@shop_cli.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "staff", "customer"]), default="customer", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "full_name", default="", help="Full name.")
def create_user_command(email: str, role: str, password: str, full_name: str) -> None:
    """Create or update a user with a role and password."""
    try:
        user, created = create_user(email, role, password, now=utcnow(), full_name=full_name)
    except ShopError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"{'Created' if created else 'Updated'} {user.email} ({user.role}).")


@shop_cli.command("send-outbox")
def send_outbox_command() -> None:
    """Send queued e-mail, retrying what failed before."""
    sent, failed = send_outbox(utcnow())
    click.echo(f"Sent {sent} e-mail(s); {failed} to retry.")


@shop_cli.command("check-integrity")
def check_integrity_command() -> None:
    """Check stock, holds, orders, seats and payments against each other; exit 1 when broken."""
    problems = check_integrity()
    if problems:
        click.echo(f"{len(problems)} problem(s) found:")
        for problem in problems:
            click.echo(f"  - {problem}")
        raise SystemExit(1)
    click.echo("All invariants hold.")


@shop_cli.command("release-expired")
def release_expired_command() -> None:
    """Release reservations whose time ran out (safe to run from cron).

    First asks the payment providers about the pending payments of those orders, so an order paid
    while its notification was late or lost is marked paid instead of cancelled; then closes the payment
    pages of the orders it cancelled at their providers.
    """
    done = release_expired()
    click.echo(f"Released {done.holds} expired hold(s); cancelled {done.orders} unpaid order(s); confirmed "
               f"{done.settled} payment(s) the provider took without a webhook; {done.lapsed} waiting-list "
               "offer(s) lapsed and passed on.")


@shop_cli.command("send-reminders")
def send_reminders_command() -> None:
    """E-mail learners the day before their cohort starts; each learner once."""
    queued = send_reminders(utcnow())
    click.echo(f"Queued {queued} reminder(s); `flask shop send-outbox` sends them.")


@shop_cli.command("worker")
@click.option("--concurrency", default=2, show_default=True, help="Jobs run at once (threads).")
@click.option("--hostname", default=None, help="The worker's name, e.g. worker1@%h.")
@click.option("--no-schedule", is_flag=True, help="Take no part in running the schedule.")
def worker_command(concurrency: int, hostname: str | None, no_schedule: bool) -> None:
    """Run a background-job worker with the schedule (needs BROKER_URL)."""
    from .jobs.worker import run_worker  # Celery is imported only by the commands that use it

    _need_broker()
    run_worker(current_app._get_current_object(), concurrency=concurrency, hostname=hostname,
               with_schedule=not no_schedule)


@shop_cli.command("scheduler")
def scheduler_command() -> None:
    """Run only the schedule (needs BROKER_URL); safe beside workers: one scheduler publishes at a time."""
    from .jobs.worker import run_scheduler

    _need_broker()
    run_scheduler(current_app._get_current_object())


def _need_broker() -> None:
    if not current_app.config["BROKER_URL"]:
        raise click.ClickException("BROKER_URL is not set: without a broker, jobs run in the web process after "
                                   "each commit and the schedule runs from cron (README, \"Production\").")


@shop_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index of every product and course (after changing how words are stemmed)."""
    click.echo(f"Search index rebuilt: {reindex()} products and courses.")
