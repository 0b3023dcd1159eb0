"""Who gets the seats of a kit for several people, in which account, and what each learner is e-mailed."""
import re
from datetime import timedelta

from sqlalchemy import select

from shop.cart.services import add_to_cart
from shop.clock import utcnow
from shop.extensions import db
from shop.models import Enrolment, OutboxMessage, Payment, User, WaitlistEntry
from shop.orders.paying import mark_paid
from shop.orders.placing import BuyerDetails, place_order
from shop.tokens import unsign
from tests.factories import make_cohort, make_course, make_product, make_user, wait_in_line
from tests.services.test_courses import buy

FRIEND = ("Aruzhan Bekova", "aruzhan@example.kz")


def _kit_for_two(*, starts_in_days: int = 10, title: str | None = None):
    course = make_course()
    if title:
        course.title_en = title
    cohort = make_cohort(course=course, capacity=6, starts_at=utcnow() + timedelta(days=starts_in_days))
    kit = make_product(stock=5, course=course, name=f"Herbs for two + {title or 'course'}")
    kit.seats_per_unit = 2
    db.session.commit()
    return kit, cohort


def _buy_kits(now, *kits_and_learners, user=None, email="dana@example.kz", locale="en"):
    """Check out each (kit, cohort, learners) in one order as ``email`` and pay for it."""
    cart = None
    for kit, cohort, _learners in kits_and_learners:
        cart = add_to_cart(token=cart.token if cart else None, user=user, product_slug=kit.slug, cohort_ref=cohort.id,
                           quantity="1", now=now)
    learners = {line.id: people for line, (_kit, _cohort, people) in zip(cart.lines, kits_and_learners, strict=True)}
    buyer = BuyerDetails(email=email, full_name="Дана Омарова", phone="+77011234567", delivery_method="pickup",
                         locale=locale, accepts_terms=True, learners=learners)
    order, _ = place_order(cart, buyer, user=user, now=now, hold_minutes=30)
    db.session.add(Payment(order_id=order.id, provider="dummy", reference=f"ref-{order.public_id}",
                           amount_minor=order.total_minor, created_at=now))
    db.session.commit()
    return mark_paid(order.public_id, provider="dummy", reference=f"ref-{order.public_id}",
                     amount_minor=order.total_minor, now=now)


def _enrolment(email) -> Enrolment:
    return db.session.scalar(select(Enrolment).where(Enrolment.email == email))


def _mail(recipient, key_start) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == recipient, OutboxMessage.dedupe_key.startswith(key_start))))


def _invited_address(message, start) -> str:
    """Return the address the invitation link in ``message`` (beginning with ``start``) sets up an account for."""
    token = re.search(re.escape(start) + r"(\S+)", message.body_text).group(1)
    return unsign("invitation", token)["email"]


def test_a_learner_named_for_a_kit_gets_their_own_seat_in_an_account_made_for_them(app, now):
    kit, cohort = _kit_for_two()
    order = _buy_kits(now, (kit, cohort, [("", ""), FRIEND]), locale="kk")
    friend = db.session.scalar(select(User).where(User.email == FRIEND[1]))
    assert (friend.full_name, friend.phone, friend.role, friend.locale, friend.created_at, friend.password_hash) == (
        "Aruzhan Bekova", "", "customer", "kk", now, None)
    seat = _enrolment(FRIEND[1])
    assert (seat.cohort_id, seat.user_id, seat.order_id, seat.order_line_id, seat.full_name, seat.status,
            seat.created_at) == (cohort.id, friend.id, order.id, order.lines[0].id, "Aruzhan Bekova", "active", now)
    buyer = db.session.scalar(select(User).where(User.email == "dana@example.kz"))
    assert _enrolment("dana@example.kz").user_id == buyer.id and buyer.id != friend.id


def test_the_named_learner_is_emailed_who_gave_the_seat_the_course_and_a_link_to_set_a_password(app, now):
    kit, cohort = _kit_for_two(title="Microgreens at home")
    order = _buy_kits(now, (kit, cohort, [("", ""), FRIEND]))
    [invitation] = _mail(FRIEND[1], "learner-invitation:")
    assert invitation.subject == "A seat in a City Farm course for you"  # in the order's language, English
    text = invitation.body_text
    assert "Hello, Aruzhan Bekova!" in text and "Дана Омарова has bought you a seat" in text
    assert "Microgreens at home" in text
    assert _invited_address(invitation, "http://shop.test/en/account/invitation/") == FRIEND[1]
    assert "http://shop.test/en/learn/" in text
    [own] = _mail("dana@example.kz", "invitation:")  # the guest buyer is invited to their own account too
    assert own.subject == "Set up your City Farm account to reach your course"
    assert "Hello, Дана Омарова!" in own.body_text
    assert "We have made a City Farm account for dana@example.kz" in own.body_text
    assert _invited_address(own, "http://shop.test/en/account/invitation/") == "dana@example.kz"
    assert "http://shop.test/en/learn/" in own.body_text
    assert own.dedupe_key == f"invitation:{order.id}"


def test_a_named_learner_with_their_own_account_gets_the_seat_there_and_no_password_link(app, now):
    member = make_user(email=FRIEND[1], full_name="Aruzhan B.")
    kit, cohort = _kit_for_two()
    _buy_kits(now, (kit, cohort, [("", ""), FRIEND]))
    assert _enrolment(FRIEND[1]).user_id == member.id
    [invitation] = _mail(FRIEND[1], "learner-invitation:")
    assert "/account/invitation/" not in invitation.body_text and "/learn/" in invitation.body_text
    assert "Choose a password" not in invitation.body_text


def test_a_named_learner_whose_address_was_only_registered_keeps_the_seat_on_the_address(app, now):
    make_user(email=FRIEND[1], verified=False)
    kit, cohort = _kit_for_two()
    _buy_kits(now, (kit, cohort, [("", ""), FRIEND]))
    assert _enrolment(FRIEND[1]).user_id is None
    [invitation] = _mail(FRIEND[1], "learner-invitation:")
    assert _invited_address(invitation, "http://shop.test/en/account/invitation/") == FRIEND[1]


def test_a_learner_named_in_two_kits_gets_one_email_listing_both_courses_the_earliest_first(app, now):
    later_kit, later_cohort = _kit_for_two(starts_in_days=30, title="Herbs on the balcony")
    sooner_kit, sooner_cohort = _kit_for_two(starts_in_days=12, title="Microgreens at home")
    _buy_kits(now, (later_kit, later_cohort, [("", ""), FRIEND]), (sooner_kit, sooner_cohort, [("", ""), FRIEND]))
    assert db.session.query(Enrolment).filter_by(email=FRIEND[1], status="active").count() == 2
    [invitation] = _mail(FRIEND[1], "learner-invitation:")
    text = invitation.body_text
    assert 0 <= text.index("Microgreens at home") < text.index("Herbs on the balcony")


def test_a_buyer_signed_in_is_not_invited_but_the_friend_they_name_is(app, now):
    member = make_user(email="member@example.kz")
    kit, cohort = _kit_for_two()
    _buy_kits(now, (kit, cohort, [("", ""), FRIEND]), user=member, email="member@example.kz")
    assert _enrolment("member@example.kz").user_id == member.id
    assert _mail("member@example.kz", "invitation:") == []
    assert len(_mail(FRIEND[1], "learner-invitation:")) == 1


def test_a_member_waiting_under_their_account_stops_waiting_when_they_buy_under_another_address(app, now):
    cohort = make_cohort(capacity=1)
    buy(cohort, now, email="seated@example.kz")
    member = make_user(email="member@example.kz")
    wait_in_line(cohort.id, "member@example.kz", now=now, user=member)
    cohort.capacity = 2
    db.session.commit()
    buy(cohort, now, email="work-address@example.kz", user=member)
    assert db.session.scalar(select(WaitlistEntry.status)) == "enrolled"


def test_a_guest_buyers_seat_goes_to_an_account_made_with_their_name_phone_and_language(app, now):
    order = buy(make_cohort(capacity=3), now, email="guest@example.kz", locale="kk")
    account = db.session.scalar(select(User).where(User.email == "guest@example.kz"))
    assert (account.full_name, account.phone, account.role, account.locale, account.created_at,
            account.password_hash) == ("Дана Омарова", "+77011234567", "customer", "kk", now, None)
    assert _enrolment("guest@example.kz").user_id == account.id and order.user_id is None
    assert _enrolment("guest@example.kz").phone == "+77011234567"  # the roster's number to call


def test_a_guest_who_buys_only_for_others_or_under_their_own_proven_address_gets_no_password_link(app, now):
    kit, cohort = _kit_for_two()
    _buy_kits(now, (kit, cohort, [("Asel Nurova", "asel@example.kz"), FRIEND]), email="giver@example.kz")
    member = make_user(email="member@example.kz")  # proven: they sign in rather than set a password
    _buy_kits(now, (kit, cohort, [("", ""), ("Asel Nurova", "asel@example.kz")]), email="member@example.kz")
    assert _mail("giver@example.kz", "invitation:") == [] and _mail("member@example.kz", "invitation:") == []
    assert _enrolment("member@example.kz").user_id == member.id
    assert _enrolment("giver@example.kz") is None
