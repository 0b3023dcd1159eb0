"""The audit log page: sentences with links to the records, the raw record kept, filters, and a fixed query count."""
from datetime import timedelta

from shop.audit import record
from shop.clock import almaty
from shop.extensions import db
from tests.factories import make_cohort, make_product, make_user
from tests.views.test_query_counts import counting


def _entry(actor, action, target, *, now, **details):
    record(actor.id if actor else None, action, target, now=now, **details)
    db.session.commit()


def _people():
    admin = make_user(role="admin", full_name="Dana", email="dana@example.kz")
    return admin, make_user(role="staff", full_name="Aigerim", email="aigerim@example.kz")


def test_the_log_reads_in_sentences_links_each_record_and_keeps_the_raw_entry(client, login_as, now):
    admin, staff = _people()
    kit = make_product(stock=25, name="Basil starter kit")
    _entry(staff, "stock.received", f"product:{kit.id}", now=now, delta=10, level_after=35,
           reason="supplier Agro-Almaty")
    login_as(admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Aigerim received 10 × Basil starter kit (supplier Agro-Almaty), on hand 25 → 35" in page
    assert f'href="/en/admin/products/{kit.id}">Basil starter kit</a>' in page
    assert "<details" in page and "<code>stock.received</code>" in page and "&#34;level_after&#34;: 35" in page


def test_a_farm_worker_with_the_staff_role_reads_the_log_from_the_menu_and_a_customer_cannot(client, login_as, now):
    _admin, staff = _people()
    _entry(staff, "stock.received", f"product:{make_product(stock=5, name='Mint kit').id}", now=now, delta=2,
           level_after=7, reason="")
    login_as(staff)
    assert 'href="/en/admin/audit"' in client.get("/admin/").get_data(as_text=True)
    assert "Aigerim received 2 × Mint kit, on hand 5 → 7" in client.get("/admin/audit").get_data(as_text=True)
    login_as(make_user(role="customer"))
    assert client.get("/admin/audit").status_code == 403

def test_the_log_reads_in_russian_at_the_russian_address(app, login_as, now):
    admin, staff = _people()
    kit = make_product(stock=25, name="Набор базилика")
    _entry(staff, "stock.received", f"product:{kit.id}", now=now, delta=10, level_after=35, reason="Агро-Алматы")
    client = app.test_client()
    client.post("/account/login", data={"email": admin.email, "password": "correct horse battery"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Aigerim: оприходовано 10 × Набор базилика (Агро-Алматы), на складе 25 → 35" in page
    assert "Журнал аудита" in page


def test_the_log_is_filtered_by_person_kind_and_almaty_dates(client, login_as):
    admin, staff = _people()
    kit, cohort = make_product(name="Pea shoots kit"), make_cohort()
    _entry(staff, "stock.written_off", f"product:{kit.id}", now=almaty(2030, 5, 9, 23, 30), delta=-1,
           level_after=9, reason="Wilted")
    _entry(admin, "cohort.capacity", f"cohort:{cohort.id}", now=almaty(2030, 5, 10, 0, 30), before=10, after=12)
    _entry(None, "cohort.cancel", f"cohort:{cohort.id}", now=almaty(2030, 5, 11, 9, 0))
    login_as(admin)

    def shown(query: str) -> tuple[bool, bool, bool]:
        page = client.get(f"/admin/audit?{query}").get_data(as_text=True)
        return "wrote off" in page, "changed the seats" in page, "cancelled the cohort" in page

    assert shown("") == (True, True, True)
    assert shown(f"person={staff.id}") == (True, False, False)
    assert shown("person=shop") == (False, False, True)
    assert shown("kind=stock") == (True, False, False)
    assert shown("kind=cohorts") == (False, True, True)
    assert shown("date_from=2030-05-10&date_to=2030-05-10") == (False, True, False)  # Almaty days, not UTC days
    assert shown("kind=cohorts&date_to=2030-05-10") == (False, True, False)


def test_bad_filter_values_say_so_and_narrow_nothing(client, login_as, now):
    admin, staff = _people()
    kit = make_product(name="Pea shoots kit")
    _entry(staff, "stock.counted", f"product:{kit.id}", now=now, delta=-1, level_after=9, reason="")
    login_as(admin)
    for query in ("date_from=2030-13-45", "date_to=1500-01-01", "person=99999", "person=²", "kind=nonsense",
                  "person=-1&kind=%F0", "action=" + "x" * 200, "page=9999999999"):
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200, query
        assert "Aigerim counted Pea shoots kit, on hand 10 → 9" in response.get_data(as_text=True), query
    assert "Not a valid date value" in client.get("/admin/audit?date_from=2030-13-45").get_data(as_text=True)
    assert client.get("/admin/audit?kind=%00").status_code == 400  # control characters are refused shop-wide
    reversed_range = client.get("/admin/audit?date_from=2020-05-10&date_to=2020-05-01").get_data(as_text=True)
    assert "The end date is before the start date." in reversed_range and "Aigerim counted" in reversed_range


def test_the_pager_keeps_the_filters(client, login_as, now):
    admin, staff = _people()
    kit = make_product(name="Pea shoots kit")
    for n in range(51):
        _entry(staff, "stock.counted", f"product:{kit.id}", now=now - timedelta(minutes=n), delta=0, level_after=9,
               reason="")
    login_as(admin)
    page = client.get(f"/admin/audit?kind=stock&person={staff.id}").get_data(as_text=True)
    assert f"/en/admin/audit?page=2&amp;person={staff.id}&amp;kind=stock" in page


def _a_mixed_log(staff, kit, cohort, order_public_id, count, now):
    kinds = [("stock.received", f"product:{kit.id}", {"delta": 1, "level_after": 5, "reason": "Agro"}),
             ("cohort.capacity", f"cohort:{cohort.id}", {"before": 1, "after": 2}),
             ("order.status", f"order:{order_public_id}", {"status": ["paid", "packed"]}),
             ("enrolment.cancel", "enrolment:1", {"cohort": cohort.id, "email": "x@example.kz"}),
             ("staff.role", f"user:{staff.id}", {"email": staff.email, "role": ["customer", "staff"]}),
             ("page.update", "page:offer", {"version": 2})]
    for n in range(count):
        action, target, details = kinds[n % len(kinds)]
        record(staff.id, action, target, now=now, **details)
    db.session.commit()


def test_a_page_of_fifty_entries_takes_as_many_queries_as_a_page_of_six(app, client, login_as, now):
    from tests.admin_support import paid_order

    admin, staff = _people()
    kit, cohort = make_product(stock=5), make_cohort()
    order = paid_order(app, kit, 1)
    _a_mixed_log(staff, kit, cohort, order.public_id, 6, now)
    login_as(admin)
    db.session.expire_all()  # each request reads the account afresh, as in production
    with counting() as few:
        assert "changed the seats" in client.get("/admin/audit").get_data(as_text=True)
    _a_mixed_log(staff, make_product(stock=5), make_cohort(), order.public_id, 44, now)
    db.session.expire_all()
    with counting() as many:
        page = client.get("/admin/audit").get_data(as_text=True)
    assert page.count('class="audit-sentence"') == 50
    assert len(many) == len(few) <= 10
