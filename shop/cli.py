"""The ``flask shop …`` commands for operators and cron."""
import click
from flask.cli import AppGroup

from .accounts.services import create_user
from .checkout.services import expire_payments
from .clock import utcnow
from .courses.services import expire_waitlist_offers, send_reminders
from .errors import ShopError
from .integrity import check_integrity
from .mail.outbox import send_outbox
from .orders.expiry import expire_orders
from .payments.providers import gateway_for
from .payments.reconcile import settle_late_payments
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
    now = utcnow()
    settled = settle_late_payments(now, gateway_for)
    holds, orders, closed = expire_orders(now)
    expire_payments(closed, gateway_for)
    lapsed = expire_waitlist_offers(now)
    click.echo(f"Released {holds} expired hold(s); cancelled {orders} unpaid order(s); confirmed {settled} "
               f"payment(s) the provider took without a webhook; {lapsed} waiting-list offer(s) lapsed and passed on.")


@shop_cli.command("send-reminders")
def send_reminders_command() -> None:
    """E-mail learners the day before their cohort starts; each learner once."""
    queued = send_reminders(utcnow())
    click.echo(f"Queued {queued} reminder(s); `flask shop send-outbox` sends them.")
