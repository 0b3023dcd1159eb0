"""Every staff-area route, for each kind of person: visitors log in first, customers are refused,
staff get in except to the administrators' pages, administrators get in everywhere."""
import pytest
from flask import g

from shop import create_app
from shop.admin.content import save_page
from shop.clock import utcnow
from shop.extensions import db
from shop.models import Enrolment, Order, ProductImage, PromoCode, Refund, User
from tests.conftest import TEST_ENV, english_client
from tests.factories import make_cohort, make_product
from tests.views.helpers import add, pay_dummy

BUYER_EMAIL = "buyer@example.kz"


def _admin_routes() -> tuple[list[tuple[str, str, str]], set[str]]:
    app = create_app({"WTF_CSRF_ENABLED": False}, env={**TEST_ENV, "DATABASE_URL": "sqlite://"})
    routes = sorted(
        (rule.rule, method, rule.endpoint)
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )
    admins_only = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "admins_only", False)}
    return routes, admins_only


ROUTES, ADMINS_ONLY = _admin_routes()


def test_the_staff_area_has_the_routes_the_issue_asks_for():
    endpoints = {endpoint for _rule, _method, endpoint in ROUTES}
    assert {"admin.index", "admin.receive", "admin.write_off", "admin.count", "admin.product", "admin.image_upload",
            "admin.categories", "admin.courses", "admin.cohort", "admin.cohort_capacity", "admin.roster",
            "admin.roster_export", "admin.attendance", "admin.enrolment_cancel", "admin.orders", "admin.order_status",
            "admin.order_refund", "admin.customers", "admin.customers_export", "admin.staff",
            "admin.audit", "admin.shop_details", "admin.info_pages_list", "admin.info_page",
            "admin.info_page_version"} <= endpoints
    assert {"admin.staff"} == ADMINS_ONLY


@pytest.fixture
def world(app):
    """One of everything a staff URL can name, so each page renders for real."""
    product = make_product(stock=8)
    db.session.add(ProductImage(product_id=product.id, path="img/logo.svg", width=400, height=300))
    cohort = make_cohort(sessions=2)
    buyer = app.test_client()
    add(buyer, product, 1)
    pay_dummy(buyer)
    order = db.session.scalar(db.select(Order))
    enrolment = Enrolment(cohort_id=cohort.id, email="learner@example.kz", full_name="Ержан Ахметов")
    db.session.add(enrolment)
    refund = Refund(order_id=order.id, amount_minor=100, reference="dummy_re_world", source="staff")
    db.session.add(refund)
    code = PromoCode(code="SPRING", kind="percent", percent=10)
    db.session.add(code)
    db.session.commit()
    save_page("offer", {"title_ru": "Оферта", "body_ru": "Текст"}, base_version=0, actor_id=None, now=utcnow())
    return {
        "slug": "offer", "number": 1,
        "product_id": product.id, "category_id": product.category_id, "course_id": cohort.course_id,
        "cohort_id": cohort.id, "session_id": cohort.sessions[0].id, "enrolment_id": enrolment.id,
        "order_id": order.id, "image_id": product.images[0].id, "refund_id": refund.id,
        "code_id": code.id,
    }


def _url(rule: str, endpoint: str, values: dict) -> str:
    url = rule
    for name, value in values.items():
        url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    assert "<" not in url, f"no test value for a part of {rule}"
    return url + (f"?email={BUYER_EMAIL}" if endpoint == "admin.customer" else "")


def _request(client, method: str, url: str):
    # The test's app context (and its ``g``) outlives each request: forget the user the last one loaded.
    g.pop("_login_user", None)
    return client.get(url) if method == "GET" else client.post(url, data={})


def _signed_in(app, role: str | None):
    """A browser signed in with ``role`` (None: a visitor), without spending a password hash per test."""
    client = english_client(app)
    if role is not None:
        user = User(email=f"{role}@cityfarm.kz", role=role, full_name=role.title())
        db.session.add(user)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
    return client


@pytest.mark.parametrize(("rule", "method", "endpoint"), ROUTES, ids=[f"{m} {r}" for r, m, _e in ROUTES])
def test_each_staff_route_lets_in_only_staff_and_admins_pages_only_admins(app, world, rule, method, endpoint):
    url = _url(rule, endpoint, world)
    visitor = _request(_signed_in(app, None), method, url)
    assert visitor.status_code == 303 and visitor.headers["Location"].startswith("/account/login?next=")
    assert _request(_signed_in(app, "customer"), method, url).status_code == 403
    for role in ("staff", "admin"):
        response = _request(_signed_in(app, role), method, url)
        if endpoint in ADMINS_ONLY and role == "staff":
            assert response.status_code == 403
        else:
            expected = (200,) if method == "GET" else (200, 303, 400, 404)  # 404: staff already deleted it
            assert response.status_code in expected, (role, response.get_data(as_text=True)[:800])
