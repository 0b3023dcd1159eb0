from datetime import timedelta

from shop.extensions import db
from shop.inventory.services import hold_stock
from tests.factories import make_cohort, make_course, make_product


def test_products_json_lists_prices_in_tiyn_and_availability_net_of_holds(client, app, now):
    course = make_course(slug="microgreens-at-home")
    product = make_product(stock=5, price=1290000, slug="microgreens-kit", course=course)
    hold_stock(product, 2, expires_at=now + timedelta(minutes=30), now=now)
    db.session.commit()
    response = client.get("/api/products")
    assert response.status_code == 200 and response.mimetype == "application/json"
    (item,) = response.json
    assert item == {"slug": "microgreens-kit", "name": item["name"], "category": product.category.slug,
                    "price": 1290000, "currency": "KZT", "available": 3,
                    "url": "http://localhost/en/products/microgreens-kit", "includes_course": "microgreens-at-home"}


def test_inactive_products_are_not_listed(client, app):
    make_product(is_active=False)
    assert client.get("/api/products").json == []


def test_cohorts_json_gives_seats_left_status_and_start_with_its_offset(client, app, later):
    cohort = make_cohort(capacity=8, starts_at=later(days=5))
    full = make_cohort(capacity=0)
    started = make_cohort(starts_at=later(hours=-1))
    items = {item["id"]: item for item in client.get("/api/cohorts").json}
    assert items[cohort.id]["status"] == "open" and items[cohort.id]["seats_left"] == 8
    assert items[cohort.id]["course"] == cohort.course.slug and items[cohort.id]["capacity"] == 8
    assert items[cohort.id]["starts_at"].endswith("+00:00")
    assert items[full.id]["status"] == "full" and items[started.id]["status"] == "started"
    assert all("join" not in key for item in items.values() for key in item)


def test_healthz_answers_ok_when_the_database_answers(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_answers_503_when_the_database_does_not(app_factory):
    broken = app_factory(env={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
