"""The storefront issues a fixed number of SQL statements however many products there are."""
from contextlib import contextmanager

from sqlalchemy import event

from shop.extensions import db
from tests.factories import make_category, make_cohort, make_course, make_product


@contextmanager
def counting():
    statements = []

    def record(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _count(client, path) -> int:
    with counting() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def _stock_the_shelf(category, course, count):
    for _ in range(count):
        make_product(category=category, course=course)


def test_catalogue_product_page_and_products_json_use_a_fixed_number_of_queries(client, app):
    category, course = make_category("herbs"), make_course()
    make_cohort(course=course)
    _stock_the_shelf(category, course, 2)
    kit = make_product(category=category, course=course, slug="the-kit")
    paths = ["/catalog/", "/catalog/?category=herbs&sort=price", f"/products/{kit.slug}", "/api/products", "/",
             "/courses/", f"/courses/{course.slug}", "/api/cohorts"]
    few = {path: _count(client, path) for path in paths}
    _stock_the_shelf(category, course, 10)
    for _ in range(4):
        make_cohort(course=course)
    many = {path: _count(client, path) for path in paths}
    assert many == few
