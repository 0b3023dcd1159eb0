"""The audit log in words: the sentence a staff member reads for each kind of action, in English and Russian."""
from contextlib import contextmanager

from flask_babel import force_locale
from sqlalchemy import select

from shop.admin.audit_words import audit_lines
from shop.admin.stock import receive_delivery, record_count, write_off_units
from shop.audit import record
from shop.clock import almaty
from shop.extensions import db
from shop.models import AuditEntry
from tests.admin_support import paid_order
from tests.factories import make_category, make_cohort, make_course, make_product, make_user


@contextmanager
def reading(app, locale: str):
    with app.test_request_context(f"/{locale}/admin/audit"), force_locale(locale):
        yield


def _lines(app, locale: str = "en"):
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())))
    with reading(app, locale):
        return audit_lines(entries)


def _said(app, locale: str = "en") -> str:
    """The sentence of the newest entry."""
    return _lines(app, locale)[0].sentence


def _aigerim():
    return make_user(role="staff", full_name="Aigerim", email="aigerim@example.kz")


def _record(*args, **details):
    record(*args, **details)
    db.session.commit()


# --- stock -------------------------------------------------------------------------------------------

def test_a_delivery_reads_who_received_how_many_of_what_from_whom_and_the_stock_before_and_after(app, now):
    kit = make_product(stock=25, name="Basil starter kit")
    receive_delivery(kit.id, 10, note="supplier Agro-Almaty", actor_id=_aigerim().id, now=now)
    assert _said(app) == "Aigerim received 10 × Basil starter kit (supplier Agro-Almaty), on hand 25 → 35"
    assert _said(app, "ru") == "Aigerim: оприходовано 10 × Basil starter kit (supplier Agro-Almaty), на складе 25 → 35"


def test_a_write_off_and_a_count_read_as_such_with_the_stock_before_and_after(app, now):
    kit, staff = make_product(stock=12, name="Pea shoots kit"), _aigerim()
    write_off_units(kit.id, 2, reason="Wilted", actor_id=staff.id, now=now)
    assert _said(app) == "Aigerim wrote off 2 × Pea shoots kit (Wilted), on hand 12 → 10"
    record_count(kit.id, 9, note="", actor_id=staff.id, now=now)
    assert _said(app) == "Aigerim counted Pea shoots kit, on hand 10 → 9"


# --- orders and refunds ------------------------------------------------------------------------------

def test_a_kaspi_payment_reads_with_the_order_number_staff_know_and_the_amount_in_tenge(app):
    order = paid_order(app, make_product(stock=5, price=790000), 1)
    _record(_aigerim().id, "order.paid", f"order:{order.public_id}", provider="kaspi", transaction="KSP-1",
            amount_minor=790000)
    line = _lines(app)[0]
    assert line.sentence == f"Aigerim recorded the payment of order {order.number}: ₸7,900 by Kaspi"
    assert order.public_id not in line.sentence
    assert (line.subject.name, line.subject.endpoint, line.subject.args) == (str(order.number), "admin.order",
                                                                             {"order_id": order.id})


def test_what_no_staff_member_did_reads_as_done_by_the_shop(app):
    order = paid_order(app, make_product(stock=5), 1)
    _record(None, "enrolment.cancel_for_order", f"order:{order.public_id}", count=2)
    assert _said(app) == f"The shop cancelled 2 course places of order {order.number}"
    assert _said(app, "ru") == f"Магазин: отменено 2 места на курсах по заказу {order.number}"


def test_a_status_move_reads_its_statuses_in_words_and_the_tracking_number(app):
    order, staff = paid_order(app, make_product(stock=5), 1), _aigerim()
    _record(staff.id, "order.status", f"order:{order.public_id}", status=["packed", "shipped"], tracking="KZ123")
    assert _said(app) == f"Aigerim moved order {order.number} from “Packed” to “Shipped”, tracking number KZ123"
    assert _said(app, "ru") == f"Aigerim: заказ {order.number} — «Упакован» → «Отправлен», трек-номер KZ123"


def test_payment_and_fulfilment_moves_read_each_in_words(app):
    order, staff = paid_order(app, make_product(stock=5), 1), _aigerim()
    _record(staff.id, "order.status", f"order:{order.public_id}", payment=["pending_payment", "paid"],
            fulfilment=["packed", "shipped"], tracking=None)
    assert _said(app) == (f"Aigerim changed the payment of order {order.number} from “Pending payment” to “Paid”; "
                          f"Aigerim changed the fulfilment of order {order.number} from “Packed” to “Shipped”")


def test_a_refund_reads_its_amount_in_tenge_its_reason_and_the_units_put_back(app):
    order, staff = paid_order(app, make_product(stock=5), 2), _aigerim()
    _record(staff.id, "order.refund", f"order:{order.public_id}", amount_minor=790000, reference="re_1",
            restock={"1": 2}, reason="Wilted on arrival")
    assert _said(app) == f"Aigerim refunded ₸7,900 on order {order.number} (Wilted on arrival), 2 items back in stock"
    assert _said(app, "ru") == (f"Aigerim: возврат 7\xa0900\xa0₸ по заказу {order.number} (Wilted on arrival), "
                                "на склад вернулось: 2 шт.")


# --- cohorts -----------------------------------------------------------------------------------------

def test_a_cohort_is_named_by_its_course_and_its_first_day_in_almaty(app):
    course = make_course()
    course.title_en = "Microgreens at home"
    cohort = make_cohort(course=course, starts_at=almaty(2030, 5, 11, 1, 0))  # still 10 May in UTC
    _record(_aigerim().id, "cohort.capacity", f"cohort:{cohort.id}", before=10, after=12)
    line = _lines(app)[0]
    assert line.sentence == "Aigerim changed the seats of Microgreens at home, 11 May 2030: 10 → 12"
    assert (line.subject.endpoint, line.subject.args) == ("admin.cohort", {"cohort_id": cohort.id})


def test_a_cancelled_course_place_links_to_its_cohorts_roster(app):
    cohort = make_cohort(starts_at=almaty(2030, 5, 10, 18, 30))
    _record(_aigerim().id, "enrolment.cancel", "enrolment:77", cohort=cohort.id, email="learner@example.kz")
    line = _lines(app)[0]
    course = cohort.course.title_en
    assert line.sentence == f"Aigerim cancelled the place of learner@example.kz in {course}, 10 May 2030"
    assert (line.subject.endpoint, line.subject.args) == ("admin.roster", {"cohort_id": cohort.id})


# --- catalogue, content, team ------------------------------------------------------------------------

def test_a_product_edit_names_the_fields_changed_with_prices_in_tenge(app):
    kit = make_product(name="Basil starter kit")
    _record(_aigerim().id, "product.update", f"product:{kit.id}", price_minor=[790000, 850000],
            is_active=[True, False], description_ru="changed")
    assert _said(app) == ("Aigerim changed the product Basil starter kit: description (RU) changed; "
                          "on offer yes → no; price ₸7,900 → ₸8,500")


def test_a_product_moved_to_another_category_and_course_names_them_not_their_ids(app):
    herbs, tomatoes = make_category(), make_category()
    herbs.name_en, tomatoes.name_en = "Spicy herbs", "Tomatoes"
    course = make_course()
    course.title_en = "Microgreens at home"
    kit = make_product(name="Basil starter kit", category=herbs)
    _record(_aigerim().id, "product.update", f"product:{kit.id}", category_id=[herbs.id, tomatoes.id],
            course_id=[None, course.id])
    assert _said(app) == ("Aigerim changed the product Basil starter kit: category Spicy herbs → Tomatoes; "
                          "course — → Microgreens at home")


def test_a_page_saved_and_a_role_changed_read_in_words(app):
    staff = _aigerim()
    _record(staff.id, "page.update", "page:offer", version=3, changed=["body_ru"])
    assert _said(app) == "Aigerim published version 3 of the page “Public offer”"
    _record(staff.id, "staff.role", "user:5", email="dana@example.kz", role=["staff", "admin"])
    assert _said(app) == "Aigerim changed the role of dana@example.kz: Staff → Administrator"


def test_a_staff_member_without_a_name_is_shown_by_e_mail(app):
    nameless = make_user(role="staff", full_name="", email="night@example.kz")
    _record(nameless.id, "search_synonyms.update", "search_synonym", before=1, after=2)
    line = _lines(app)[0]
    assert line.sentence == "night@example.kz changed the search synonyms"
    assert line.subject.endpoint == "admin.search_synonyms"


def test_an_unknown_action_still_reads_as_a_sentence_and_keeps_its_raw_record(app):
    _record(None, "mystery.thing", "product:999999", colour="green")
    line = _lines(app)[0]
    assert line.sentence == "The shop made a change (mystery.thing) to product:999999"
    assert line.subject.endpoint is None and '"colour": "green"' in line.raw


def test_every_action_the_shop_records_reads_in_its_own_words_in_every_language(app):
    order, staff = paid_order(app, make_product(stock=5), 1), _aigerim()
    kit, cohort = make_product(name="Basil starter kit"), make_cohort()
    on_order, on_cohort, on_kit = f"order:{order.public_id}", f"cohort:{cohort.id}", f"product:{kit.id}"
    recorded = [
        ("stock.received", on_kit, {"delta": 1, "level_after": 2, "reason": ""}),
        ("stock.sold", on_kit, {"delta": -1, "level_after": 1, "reason": ""}),
        ("order.paid", on_order, {"provider": "kaspi", "amount_minor": 100}),
        ("order.status", on_order, {"status": ["paid", "packed"], "tracking": None}),
        ("order.kaspi_cancel", on_order, {}), ("order.refund", on_order, {"amount_minor": 100, "reason": ""}),
        ("enrolment.cancel_for_order", on_order, {"count": 1}), ("note.add", on_order, {}),
        ("note.add", "customer:a@example.kz", {}), ("enrolment.cancel", "enrolment:1", {"cohort": cohort.id}),
        ("cohort.create", on_cohort, {"capacity": 8}), ("cohort.update", on_cohort, {"venue": ["", "Farm"]}),
        ("cohort.capacity", on_cohort, {"before": 8, "after": 9}), ("cohort.cancel", on_cohort, {}),
        ("cohort.reopen", on_cohort, {}), ("cohort.schedule_sent", on_cohort, {"learners": 5}),
        ("cohort.session_add", on_cohort, {"starts_at": "2030-05-10T13:30:00+00:00", "minutes": 90}),
        ("cohort.session_remove", on_cohort, {"starts_at": "2030-05-10T13:30:00+00:00"}),
        ("cohort.attendance", on_cohort, {"present": 3, "of": 4}),
        ("product.create", on_kit, {}), ("product.update", on_kit, {"price_minor": [100, 200]}),
        ("product.image_add", on_kit, {}), ("product.image_main", on_kit, {}), ("product.image_remove", on_kit, {}),
        ("course.create", f"course:{cohort.course_id}", {}), ("course.update", f"course:{cohort.course_id}", {}),
        ("category.create", f"category:{kit.category_id}", {}),
        ("category.update", f"category:{kit.category_id}", {"name_kk": ["", "Санат"]}),
        ("promo_code.create", "promo_code:1", {}), ("promo_code.update", "promo_code:1", {}),
        ("search_synonyms.update", "search_synonym", {}), ("shop_details.update", "shop_details", {}),
        ("page.update", "page:returns", {"version": 1}), ("staff.role", f"user:{staff.id}", {"role": ["a", "b"]}),
    ]
    for action, target, details in recorded:
        record(staff.id, action, target, **details)
    db.session.commit()
    for locale in ("en", "ru", "kk"):
        lines = _lines(app, locale)[:len(recorded)]
        sentences = [line.sentence for line in lines]
        assert len(set(sentences)) == len(recorded), locale
        for line in lines:
            assert line.sentence.startswith("Aigerim") and "%(" not in line.sentence, (locale, line.sentence)
            assert line.entry.action not in line.sentence, (locale, line.sentence)  # no fallback wording
