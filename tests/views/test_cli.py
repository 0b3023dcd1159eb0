from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Cohort, Course, OutboxMessage, Product, StockMovement, User
from shop.seed_data import PRODUCTS


def test_seed_demo_loads_the_catalogue_and_running_it_twice_changes_nothing(runner):
    first = runner.invoke(args=["shop", "seed-demo"])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(select(func.count(model.id))) for model in (Product, Course, Cohort, StockMovement)]
    second = runner.invoke(args=["shop", "seed-demo"])
    assert second.exit_code == 0
    models = (Product, Course, Cohort, StockMovement)
    assert [db.session.scalar(select(func.count(model.id))) for model in models] == counts
    assert counts[0] == len(PRODUCTS) >= 20 and counts[1] == 5


def test_seeded_stock_is_recorded_as_received_in_the_ledger(runner):
    runner.invoke(args=["shop", "seed-demo"])
    for product in db.session.scalars(select(Product)):
        ledger = db.session.scalar(select(func.coalesce(func.sum(StockMovement.delta), 0))
                                   .where(StockMovement.product_id == product.id))
        assert ledger == product.on_hand


def test_seeded_cohorts_are_upcoming_with_8_to_20_seats(runner, now):
    runner.invoke(args=["shop", "seed-demo"])
    cohorts = db.session.scalars(select(Cohort)).all()
    assert all(cohort.starts_at > now and 8 <= cohort.capacity <= 20 for cohort in cohorts)
    assert all(2 <= len([c for c in cohorts if c.course_id == course.id]) <= 3
               for course in db.session.scalars(select(Course)))


def test_seed_if_empty_leaves_a_stocked_shop_alone(runner):
    runner.invoke(args=["shop", "seed-demo"])
    result = runner.invoke(args=["shop", "seed-demo", "--if-empty"])
    assert "nothing loaded" in result.output


def test_create_user_creates_then_updates_a_user_with_a_role(runner):
    result = runner.invoke(args=["shop", "create-user", "Staff@Farm.kz", "--role", "staff",
                                 "--password", "greenhouse-key-1"])
    assert result.exit_code == 0 and "Created staff@farm.kz" in result.output
    result = runner.invoke(args=["shop", "create-user", "staff@farm.kz", "--role", "admin",
                                 "--password", "greenhouse-key-2"])
    assert "Updated" in result.output
    user = db.session.scalar(select(User))
    assert user.role == "admin" and user.check_password("greenhouse-key-2")


def test_create_user_prompts_for_the_password_when_not_given(runner):
    result = runner.invoke(args=["shop", "create-user", "x@farm.kz"], input="greenhouse-key-1\ngreenhouse-key-1\n")
    assert result.exit_code == 0 and db.session.scalar(select(User.email)) == "x@farm.kz"


def test_create_user_refuses_a_weak_password(runner):
    result = runner.invoke(args=["shop", "create-user", "x@farm.kz", "--password", "123"])
    assert result.exit_code != 0 and db.session.scalar(select(User.id)) is None


def test_send_outbox_sends_queued_mail_and_keeps_failures_for_later(app, runner, later):
    from shop.mail.outbox import queue_email, send_outbox
    from tests.factories import make_user

    user = make_user()
    queue_email(user.email, "password_reset", locale="ru", user=user, link="http://shop.test/x")
    db.session.commit()

    def broken(_message):
        raise OSError("mail server down")

    assert send_outbox(later(seconds=1), transport=broken) == (0, 1)
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None and "mail server down" in message.last_error
    result = runner.invoke(args=["shop", "send-outbox"])
    assert "Sent 0" in result.output  # not due yet: retried after a pause
    sent = []
    assert send_outbox(message.next_attempt_at, transport=sent.append) == (1, 0)
    assert sent[0]["To"] == user.email
