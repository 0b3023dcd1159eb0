"""What the staff refund page shows before staff confirm (`refunds.plan_refund`): the card the money goes back
to, the amounts, the units going back on the shelf, whether seats are cancelled, and the refusals that come
before any money moves (found by `make mutation`)."""
import pytest
from sqlalchemy import select

from shop.clock import utcnow
from shop.extensions import db
from shop.models import Order, Payment
from shop.orders.refunds import NothingToRefund, RefundRequest, plan_refund, refund_order
from tests.admin_support import RecordingGateway, paid_order
from tests.factories import make_cohort, make_product
from tests.views.helpers import add, check_out, path_of


def _payment_of(order) -> Payment:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.status == "paid"))


class _ProviderGateway(RecordingGateway):
    def __init__(self, name: str):
        super().__init__()
        self.name = name


def test_the_plan_names_the_card_the_money_goes_back_to(app):
    order = paid_order(app, make_product(stock=5), 1)
    _payment_of(order).card_last4 = "4242"
    db.session.commit()
    plan = plan_refund(RefundRequest(order.id, 1000, "Damaged", {}), gateway=RecordingGateway())
    assert plan.card_last4 == "4242"


def test_the_plan_names_no_card_when_the_payment_recorded_none(app):
    order = paid_order(app, make_product(stock=5), 1)
    plan = plan_refund(RefundRequest(order.id, 1000, "Damaged", {}), gateway=RecordingGateway())
    assert plan.card_last4 == ""


def test_the_plan_shows_the_provider_this_amount_and_what_was_refunded_before(app):
    order = paid_order(app, make_product(stock=5), 2)
    refund_order(RefundRequest(order.id, 700, "Damaged", {}), gateway=RecordingGateway(), actor_id=None,
                 now=utcnow())
    plan = plan_refund(RefundRequest(order.id, 1000, "Damaged", {}), gateway=RecordingGateway())
    assert (plan.provider, plan.amount_minor, plan.already_minor) == ("dummy", 1000, 700)
    assert plan.items == [] and not plan.refunds_everything


def test_the_plan_lists_each_kit_going_back_on_the_shelf_by_name_in_line_order(app):
    seeds, trowel = make_product(stock=5, name="Basil seeds"), make_product(stock=5, name="Trowel")
    client = app.test_client()
    add(client, seeds, 2)
    add(client, trowel, 1)
    client.post(path_of(check_out(client)), data={"outcome": "pay"})
    order = db.session.scalar(select(Order))
    first, second = sorted(order.lines, key=lambda line: line.id)
    plan = plan_refund(RefundRequest(order.id, 1000, "Damaged", {second.id: 1, first.id: 2}),
                       gateway=RecordingGateway())
    assert plan.restock == [(first.name, 2), (second.name, 1)]


def test_a_full_refund_of_kits_alone_cancels_no_seats(app):
    order = paid_order(app, make_product(stock=5), 1)
    plan = plan_refund(RefundRequest(order.id, None, "Damaged", {}, lines={order.lines[0].id: 1}, delivery=True),
                       gateway=RecordingGateway())
    assert plan.refunds_everything
    assert plan.cancels_seats is False


def test_a_partial_refund_of_a_seat_keeps_it_unless_staff_cancel_it(app):
    order = paid_order(app, cohort=make_cohort(capacity=5))
    keep = plan_refund(RefundRequest(order.id, 100, "Goodwill", {}), gateway=RecordingGateway())
    cancel = plan_refund(RefundRequest(order.id, 100, "Goodwill", {}, cancel_seats=True), gateway=RecordingGateway())
    assert (keep.cancels_seats, cancel.cancels_seats) == (False, True)


@pytest.mark.parametrize("provider", ["stripe", "tiptoppay"])
def test_a_card_payment_the_provider_never_confirmed_cannot_be_refunded(app, provider):
    order = paid_order(app, make_product(stock=5), 1)
    payment = _payment_of(order)
    payment.provider, payment.payment_intent = provider, ""
    db.session.commit()
    with pytest.raises(NothingToRefund):
        plan_refund(RefundRequest(order.id, 1000, "Damaged", {}), gateway=_ProviderGateway(provider))


def test_a_refund_that_completes_a_seat_orders_total_cancels_its_seats_and_one_tiyn_less_does_not(app):
    order = paid_order(app, cohort=make_cohort(capacity=5))
    refund_order(RefundRequest(order.id, 100, "Goodwill", {}), gateway=RecordingGateway(), actor_id=None,
                 now=utcnow())
    rest = plan_refund(RefundRequest(order.id, order.total_minor - 100, "Cannot come", {}), gateway=RecordingGateway())
    short = plan_refund(RefundRequest(order.id, order.total_minor - 101, "Cannot come", {}),
                        gateway=RecordingGateway())
    assert (rest.cancels_seats, short.cancels_seats) == (True, False)
