"""What an order keeps of the buyer's form: trimmed, cut to what its columns hold, and only what its way of
delivery needs (found by `make mutation`)."""
from shop.orders.placing import place_order
from tests.factories import make_cohort, make_course, make_product
from tests.services.test_money_and_stock import _buyer, _cart_with


def _courier_buyer(**changes):
    return _buyer(**{"delivery_method": "courier", "city": " Алматы ", "address": " пр. Абая 10 ",
                     "apartment": "12" * 15, "entrance": " " + "3" * 25, "floor": "9" * 25, "intercom": "К" * 50,
                     "comment": "  " + "ж" * 600, "email": " Dana@Example.KZ ", "full_name": " Дана Омарова ",
                     "phone": " +7 701 234 56 78 ", **changes})


def test_a_courier_order_keeps_the_whole_address_trimmed_and_cut_to_its_columns(app, now):
    order, _ = place_order(_cart_with(make_product(stock=5)), _courier_buyer(client_ip="2001:db8::" + "f" * 60,
                                                                             locale="kk"),
                           user=None, now=now, hold_minutes=30)
    assert (order.delivery_method, order.city, order.address) == ("courier", "Алматы", "пр. Абая 10")
    assert (order.apartment, order.entrance, order.floor, order.intercom) == ("12" * 10, "3" * 20, "9" * 20, "К" * 40)
    assert order.comment == "ж" * 500
    assert (order.email, order.full_name, order.phone) == ("dana@example.kz", "Дана Омарова", "+7 701 234 56 78")
    assert order.client_ip == ("2001:db8::" + "f" * 60)[:45]
    assert (order.locale, order.terms_accepted_at) == ("kk", now)  # the buyer's language; consent given as placed


def test_a_pickup_order_keeps_the_city_but_no_address_for_the_courier(app, now):
    order, _ = place_order(_cart_with(make_product(stock=5)), _courier_buyer(delivery_method="pickup"),
                           user=None, now=now, hold_minutes=30)
    assert (order.delivery_method, order.city, order.address) == ("pickup", "Алматы", "")
    assert (order.apartment, order.entrance, order.floor, order.intercom) == ("", "", "", "")
    assert order.comment == "ж" * 500


def test_an_order_of_course_seats_only_is_picked_up_with_no_address_whatever_the_form_said(app, now):
    cohort = make_cohort(course=make_course(), capacity=5)
    order, _ = place_order(_cart_with(cohort=cohort), _courier_buyer(), user=None, now=now, hold_minutes=30)
    assert (order.delivery_method, order.city, order.address, order.delivery_fee_minor) == ("pickup", "", "", 0)
    assert (order.apartment, order.entrance, order.floor, order.intercom) == ("", "", "", "")
