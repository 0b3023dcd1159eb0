"""Numbers from routes, query strings and sessions: ASCII digits within the INTEGER range, else a 404, the
first page, a visitor or an ignored filter — never a 500."""
import pytest

from tests.factories import make_cohort, make_product, make_user

BEYOND_INTEGER = [str(2**31), str(2**63), str(10**20)]


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


@pytest.mark.parametrize("number", BEYOND_INTEGER)
def test_route_id_beyond_column_range_is_404(client, staff, number):
    for path in (f"/admin/products/{number}", f"/admin/orders/{number}", f"/admin/cohorts/{number}/roster",
                 f"/admin/categories/{number}", f"/learn/cohorts/{number}.ics"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/admin/products/{number}/receive", data={"receive-quantity": "1",
                                                                  "receive-note": "x"}).status_code == 404


def test_route_id_written_in_other_digits_is_404(client, staff):
    product = make_product(stock=1)
    arabic = str(product.id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert client.get(f"/admin/products/{product.id}").status_code == 200
    assert client.get(f"/admin/products/{arabic}").status_code == 404


@pytest.mark.parametrize("user_id", ["²", "٣", "99999999999999999999", "-1", " 1"])
def test_a_session_naming_no_possible_user_is_a_visitor(client, user_id):
    make_user()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    assert client.get("/account/").status_code in (302, 303)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("page", ["²", "³", "1²", "٣", "１", str(10**20)])
def test_page_number_in_unicode_digits_or_beyond_range_falls_back_to_the_first_page(client, staff, page):
    make_product(stock=1)
    for path in ("/catalog/", "/admin/orders/", "/admin/products/", "/admin/customers/", "/admin/cohorts/"):
        assert client.get(path, query_string={"page": page}).status_code == 200, path


@pytest.mark.parametrize("value", ["²", "1²", str(2**31), str(10**20)])
def test_staff_list_filters_with_impossible_ids_are_ignored(client, staff, value):
    make_product(stock=1)
    assert client.get("/admin/products/", query_string={"category": value}).status_code == 200
    assert client.get("/admin/cohorts/", query_string={"course": value}).status_code == 200
    assert client.get("/admin/cohorts/new", query_string={"course": value}).status_code == 200


@pytest.mark.parametrize("value", ["²", str(2**31), str(10**20)])
def test_attendance_ignores_impossible_learner_ids(client, staff, value):
    cohort = make_cohort(sessions=1)
    response = client.post(f"/admin/sessions/{cohort.sessions[0].id}/attendance", data={"present": [value]})
    assert response.status_code == 303
