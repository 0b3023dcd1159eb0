"""Staff pages for orders: the filtered list, buttons for the next steps only, shipping, refunds, the dashboard."""
import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OutboxMessage, Product, Refund
from tests.admin_support import paid_order
from tests.factories import make_product, make_user


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


def test_the_list_filters_orders_by_status_and_delivery(app, client, staff):
    courier = paid_order(app, make_product(stock=5), 1, full_name="Courier Buyer")
    pickup = paid_order(app, make_product(stock=5), 1, delivery="pickup", full_name="Pickup Buyer")
    page = client.get("/admin/orders/?delivery_method=pickup").get_data(as_text=True)
    assert "Pickup Buyer" in page and "Courier Buyer" not in page
    client.post(f"/admin/orders/{courier.id}/status", data={"to_status": "packed"})
    page = client.get("/admin/orders/?status=packed").get_data(as_text=True)
    assert "Courier Buyer" in page and "Pickup Buyer" not in page
    assert str(pickup.number) in client.get("/admin/orders/?q=pickup").get_data(as_text=True)
    assert str(pickup.number) in client.get(f"/admin/orders/?q={pickup.public_id[:8].upper()}").text
    by_number = client.get(f"/admin/orders/?q={pickup.number}").text
    assert "Pickup Buyer" in by_number and "Courier Buyer" not in by_number
    assert client.get("/admin/orders/?date_from=not-a-date").status_code == 200
    assert client.get("/admin/orders/?date_to=9999-12-31&status=bogus").status_code == 200


def test_the_order_page_puts_status_contact_and_next_step_before_the_lines(app, client, staff):
    order = paid_order(app, make_product(stock=5), 1, phone="8 (705) 111-22-33")
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    spots = [page.index(marker) for marker in ('class="order-top"', 'href="tel:+77051112233"',
                                               'href="https://wa.me/77051112233"', 'value="packed"', "<table")]
    assert spots == sorted(spots)


def test_a_phone_that_is_not_kazakh_gets_no_call_or_whatsapp_link(app, client, staff):
    order = paid_order(app, make_product(stock=5), 1)
    db.session.get(Order, order.id).phone = "+44 20 7946 0958"  # typed before the checkout checked numbers
    db.session.commit()
    buyer = client.get(f"/admin/orders/{order.id}").text.split('id="buyer-title"')[1].split("</section>")[0]
    assert "+44 20 7946 0958" in buyer
    assert "buyer-contact" not in buyer and "tel:" not in buyer and "wa.me" not in buyer


def test_the_order_page_offers_only_the_next_allowed_statuses(app, client, staff):
    order = paid_order(app, make_product(stock=5), 1)
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "Mark as Packed" in page
    assert "Mark as Shipped" not in page and "Mark as Delivered" not in page and "Mark as Ready for pickup" not in page
    client.post(f"/admin/orders/{order.id}/status", data={"to_status": "packed"})
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "Mark as Shipped" in page and "Tracking number" in page and "Mark as Packed" not in page


def test_a_status_out_of_turn_is_refused_with_a_message_and_changes_nothing(app, client, staff):
    order = paid_order(app, make_product(stock=5), 1)
    response = client.post(f"/admin/orders/{order.id}/status", data={"to_status": "delivered"})
    assert response.status_code == 400 and "cannot move to that status" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == "paid"


def test_shipping_a_parcel_asks_for_its_tracking_number_and_emails_the_buyer(app, client, staff):
    order = paid_order(app, make_product(stock=5), 1, delivery="post")
    client.post(f"/admin/orders/{order.id}/status", data={"to_status": "packed"})
    response = client.post(f"/admin/orders/{order.id}/status", data={"to_status": "shipped", "tracking_number": ""})
    assert response.status_code == 400 and "tracking number" in response.get_data(as_text=True)
    response = client.post(f"/admin/orders/{order.id}/status",
                           data={"to_status": "shipped", "tracking_number": "RR987654321KZ"})
    assert response.status_code == 303
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.body_text.contains("RR987654321KZ")))
    assert mail.recipient == order.email
    assert "RR987654321KZ" in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)


def test_a_partial_refund_with_restock_from_the_order_page(app, client, staff):
    product = make_product(stock=5, price=300000)
    order = paid_order(app, product, 2)
    line = order.lines[0]
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert f'name="restock_{line.id}"' in page
    response = client.post(f"/admin/orders/{order.id}/refund",
                           data={"basis": "amount", "amount_minor": "3 000", "reason": "One pot broke",
                                 f"restock_{line.id}": "1", "confirm": "1"})
    assert response.status_code == 303
    refund = db.session.scalar(select(Refund))
    assert (refund.amount_minor, refund.actor_id) == (300000, staff.id)
    db.session.expire_all()
    assert db.session.get(Product, product.id).on_hand == 4
    assert db.session.get(Order, order.id).payment_status == "partially_refunded"
    assert "Partially refunded" in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)


def test_a_refund_above_what_is_left_is_refused_on_the_form(app, client, staff):
    order = paid_order(app, make_product(stock=5, price=300000), 1)
    response = client.post(f"/admin/orders/{order.id}/refund",
                           data={"basis": "amount", "amount_minor": str(order.total_minor // 100 + 1),
                                 "reason": "Too much"})
    assert response.status_code == 400 and "cannot exceed what was paid" in response.get_data(as_text=True)
    assert db.session.scalar(select(Refund.id)) is None


def test_restocking_more_than_was_bought_is_refused_by_the_form(app, client, staff):
    order = paid_order(app, make_product(stock=5), 1)
    line = order.lines[0]
    response = client.post(f"/admin/orders/{order.id}/refund",
                           data={"basis": "amount", "amount_minor": "100", "reason": "x", f"restock_{line.id}": "2",
                                 "confirm": "1"})
    assert response.status_code == 400 and db.session.scalar(select(Refund.id)) is None


def test_the_dashboard_shows_the_days_sale_on_its_server_drawn_chart(app, client, staff):
    order = paid_order(app, make_product(stock=9, price=1234500), 1, delivery="pickup")
    page = client.get("/admin/").get_data(as_text=True)
    assert '<svg class="bar-chart"' in page and "<script" not in page
    assert page.count("<rect") >= 30
    assert "12,345" in page or "12 345" in page
    assert str(order.number) in page  # waiting to be packed


def test_a_line_refund_is_confirmed_on_a_page_saying_what_will_happen_before_any_money_moves(app, client, staff):
    product = make_product(stock=5, price=790000, name="Basil starter kit")
    order = paid_order(app, product, 2)
    line = order.lines[0]
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert 'name="amount_minor" type="text" value=""' in page and "Review the refund" in page
    form = {"request_key": "line-1", "reason": "Cracked pot", f"refund_{line.id}": "1", f"restock_{line.id}": "1"}
    asked = client.post(f"/admin/orders/{order.id}/refund", data=form)
    text = asked.get_data(as_text=True).replace("\xa0", " ").replace("\u202f", " ")
    assert asked.status_code == 200
    assert "Refund ₸7,900 through test payments." in text
    assert "Put 1 × Basil starter kit back on the shelf." in text and "dummy" not in text.lower()
    assert 'name="confirm" value="1"' in text
    db.session.expire_all()
    assert db.session.scalar(select(Refund.id)) is None and db.session.get(Product, product.id).on_hand == 3
    done = client.post(f"/admin/orders/{order.id}/refund", data={**form, "confirm": "1"})
    assert done.status_code == 303
    again = client.post(f"/admin/orders/{order.id}/refund", data={**form, "confirm": "1"})  # a double click
    assert again.status_code in (303, 400)
    db.session.expire_all()
    assert [r.amount_minor for r in db.session.scalars(select(Refund))] == [790000]
    assert db.session.get(Product, product.id).on_hand == 4
    assert db.session.get(Order, order.id).payment_status == "partially_refunded"


def test_a_free_amount_counts_only_when_chosen_explicitly(app, client, staff):
    order = paid_order(app, make_product(stock=5, price=300000), 1)
    by_line = client.post(f"/admin/orders/{order.id}/refund",
                          data={"amount_minor": "1 000", "reason": "Goodwill", "confirm": "1"})
    assert by_line.status_code == 400 and "Choose what to refund" in by_line.get_data(as_text=True)
    empty = client.post(f"/admin/orders/{order.id}/refund",
                        data={"basis": "amount", "amount_minor": "", "reason": "Goodwill", "confirm": "1"})
    assert empty.status_code == 400 and "Enter the amount to refund" in empty.get_data(as_text=True)
    assert db.session.scalar(select(Refund.id)) is None
    asked = client.post(f"/admin/orders/{order.id}/refund",
                        data={"basis": "amount", "amount_minor": "1 000", "reason": "Goodwill"})
    text = asked.get_data(as_text=True).replace("\xa0", " ").replace("\u202f", " ")
    assert "Refund ₸1,000 through test payments." in text and "A free amount" in text
    assert "Nothing goes back on the shelf." in text


def test_the_delivery_fee_alone_refunds_what_the_buyer_paid_for_delivery(app, client, staff):
    order = paid_order(app, make_product(stock=5, price=300000), 1)
    form = {"refund_delivery": "y", "reason": "Late courier", "request_key": "fee"}
    asked = client.post(f"/admin/orders/{order.id}/refund", data=form).get_data(as_text=True)
    assert "delivery fee" in asked
    assert client.post(f"/admin/orders/{order.id}/refund", data={**form, "confirm": "1"}).status_code == 303
    assert db.session.scalar(select(Refund.amount_minor)) == order.delivery_fee_minor


def test_a_partial_refund_after_shipping_leaves_shipped_in_sight_of_staff_and_buyer(app, client, staff):
    from shop.orders.links import order_token

    order = paid_order(app, make_product(stock=5, price=300000), 2, full_name="Parcel Buyer")
    client.post(f"/admin/orders/{order.id}/status", data={"to_status": "packed"})
    client.post(f"/admin/orders/{order.id}/status", data={"to_status": "shipped", "tracking_number": "CR-1"})
    assert client.post(f"/admin/orders/{order.id}/refund", data={
        "basis": "amount", "amount_minor": "3 000", "reason": "One pot broke", "confirm": "1"}).status_code == 303
    staff_page = client.get(f"/admin/orders/{order.id}").text
    assert "status-partially_refunded" in staff_page and "status-shipped" in staff_page
    assert "Mark as Delivered" in staff_page
    listed = client.get("/admin/orders/?status=shipped").text
    assert "Parcel Buyer" in listed and "status-shipped" in listed and "status-partially_refunded" in listed
    assert "Parcel Buyer" in client.get("/admin/orders/?status=partially_refunded").text
    assert "Parcel Buyer" not in client.get("/admin/orders/?status=to_pack").text
    buyer_page = client.get(f"/orders/{order.public_id}?token={order_token(order.public_id)}").text
    assert "Partially refunded" in buyer_page and "Shipped" in buyer_page


def test_an_order_of_course_seats_only_shows_no_delivery_badge(app, client, staff):
    from tests.factories import make_cohort

    order = paid_order(app, cohort=make_cohort(), full_name="Only A Learner", delivery="pickup")
    page = client.get(f"/admin/orders/{order.id}").text
    assert "status-paid" in page and "status-unfulfilled" not in page and "Mark as" not in page
