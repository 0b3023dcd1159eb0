"""Property-based tests of the cart and checkout forms: any input gives a clear answer and a sane cart."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shop.cart.services import summarise
from shop.clock import utcnow
from shop.extensions import db
from shop.models import Cart, CartLine, Order, Product
from tests.factories import make_product

FORM_TEXT = st.one_of(st.text(max_size=40), st.integers(-10**15, 10**15).map(str),
                      st.floats(allow_nan=True).map(str), st.sampled_from(["basil", "1", "0", "3", ""]))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(actions=st.lists(st.tuples(st.sampled_from(["/cart/add", "/cart/update"]), FORM_TEXT, FORM_TEXT, FORM_TEXT),
                        max_size=8))
def test_any_sequence_of_cart_posts_keeps_the_cart_within_stock(app, client, actions):
    product = _basil()
    for path, first, second, quantity in actions:
        data = {"product": first, "line": second, "quantity": quantity} if path == "/cart/update" else \
            {"product": first, "quantity": quantity}
        response = client.post(path, data=data)
        assert response.status_code in (303, 400, 404)
    for cart in db.session.scalars(select(Cart)):
        summary = summarise(cart, utcnow())
        assert all(1 <= row.line.quantity <= 3 for row in summary.rows)
        assert summary.subtotal_minor == sum(row.line.quantity for row in summary.rows) * product.price_minor
    db.session.execute(CartLine.__table__.delete())
    db.session.commit()


def _basil() -> Product:
    return db.session.scalar(select(Product).where(Product.slug == "basil")) or make_product(stock=3, slug="basil")


@SETTINGS
@given(email=FORM_TEXT, name=FORM_TEXT, phone=FORM_TEXT, method=FORM_TEXT, city=FORM_TEXT, address=FORM_TEXT)
def test_any_checkout_form_gives_a_message_or_a_valid_order(app, client, email, name, phone, method, city, address):
    _basil()
    client.post("/cart/add", data={"product": "basil"})
    response = client.post("/checkout", data={"email": email, "full_name": name, "phone": phone,
                                              "delivery_method": method, "city": city, "address": address,
                                              "accept_terms": "y"})
    assert response.status_code in (200, 303, 400)
    for order in db.session.scalars(select(Order).where(Order.payment_status == "pending_payment")):
        assert "@" in order.email and order.delivery_method in ("pickup", "courier", "post")
        assert order.total_minor == order.subtotal_minor + order.delivery_fee_minor
