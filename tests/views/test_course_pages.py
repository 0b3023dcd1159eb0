"""Course and bundle pages that sell: programme, teacher, how lessons run, where, refund terms; bundle savings."""
import pytest
from sqlalchemy import select

from shop.catalog.bundles import bundle_saving
from shop.extensions import db
from shop.models import Course, Product
from shop.seed import seed_demo
from tests.factories import make_cohort, make_course, make_product, make_user


@pytest.fixture
def staff(login_as):
    user = make_user(role="staff")
    login_as(user)
    return user


def _describe(course: Course, **changes) -> Course:
    values = {"programme_en": "Seeds and soil\nLight\n\nHarvest", "teacher_en": "Aigerim, the farm's agronomist",
              "online_format_en": "Live on Zoom, 90 minutes", "venue_area_en": "Bostandyk district",
              "refund_terms_en": "Full refund up to 3 days before the first lesson.", "keeps_recordings": True}
    for name, value in {**values, **changes}.items():
        setattr(course, name, value)
    db.session.commit()
    return course


def test_the_course_page_shows_the_programme_teacher_lessons_recordings_and_refund_terms(client):
    course = _describe(make_course())
    make_cohort(course=course)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert '<ol class="programme"><li>Seeds and soil</li><li>Light</li><li>Harvest</li></ol>' in page
    assert "Aigerim, the farm&#39;s agronomist" in page or "Aigerim, the farm's agronomist" in page
    assert "Live on Zoom, 90 minutes" in page and "can watch the recordings" in page
    assert "Full refund up to 3 days before the first lesson." in page
    assert "Bostandyk district" not in page  # no cohort meets in person


def test_an_in_person_course_names_its_area_before_purchase(client):
    course = _describe(make_course(), keeps_recordings=False)
    cohort = make_cohort(course=course, join_url="")
    cohort.format, cohort.venue = "in_person", "58 Zhandosov Street, greenhouse 2"
    db.session.commit()
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "In-person cohorts meet in Bostandyk district" in page
    assert "Lessons are not recorded" in page


def test_staff_edit_the_course_page_texts_in_the_course_form(client, staff):
    course = make_course()
    answer = client.post(f"/admin/courses/{course.id}", data={
        "slug": course.slug, "topic": course.topic, "title_ru": "Курс", "position": "0", "is_active": "y",
        "keeps_recordings": "y", "programme_ru": "Семена\nСвет", "programme_kk": "Тұқымдар\nЖарық",
        "teacher_en": "Saule", "refund_terms_kk": "Толық қайтару", "venue_area_ru": "Бостандыкский район"})
    assert answer.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Course, course.id)
    assert saved.programme("kk") == ["Тұқымдар", "Жарық"] and saved.keeps_recordings
    assert (saved.teacher_en, saved.refund_terms_kk, saved.venue_area_ru) == ("Saule", "Толық қайтару",
                                                                             "Бостандыкский район")
    assert "Семена" in client.get(f"/admin/courses/{course.id}").get_data(as_text=True)


def test_a_bundle_page_says_what_it_saves_against_kit_and_course_bought_apart(client):
    course = make_course()
    make_cohort(course=course, price=1990000)
    kit = make_product(price=1290000, name="Microgreens kit")
    bundle = make_product(price=2990000, course=course, name="Microgreens kit + course")
    bundle.kit_alone_id = kit.id
    db.session.commit()
    page = client.get(f"/products/{bundle.slug}").get_data(as_text=True)
    assert "₸29,900 instead of ₸32,800 bought apart" in page and "You save ₸2,900" in page
    assert "You save" not in client.get(f"/products/{kit.slug}").get_data(as_text=True)


def test_a_bundle_that_saves_nothing_or_names_no_kit_says_nothing(app):
    course = make_course()
    cohort = make_cohort(course=course, price=100000)
    kit = make_product(price=1290000)
    bundle = make_product(price=1390000, course=course)
    assert bundle_saving(bundle, cohort) is None  # no kit sold alone named
    bundle.kit_alone_id = kit.id
    db.session.commit()
    assert bundle_saving(bundle, cohort) is None  # 13 900 is not less than 12 900 + 1 000
    assert bundle_saving(bundle, None) is None


def test_staff_name_the_kit_sold_alone_and_cannot_name_a_kit_with_a_course(client, staff):
    course = make_course()
    kit, other_bundle = make_product(), make_product(course=course)
    bundle = make_product(course=course)
    form = {"slug": bundle.slug, "category_id": str(bundle.category_id), "course_id": str(course.id),
            "price_minor": "29 900", "low_stock_threshold": "3", "is_active": "y", "name_ru": "Набор + курс"}
    refused = client.post(f"/admin/products/{bundle.id}", data={**form, "kit_alone_id": str(other_bundle.id)})
    assert refused.status_code == 400 and db.session.get(Product, bundle.id).kit_alone_id is None
    assert client.post(f"/admin/products/{bundle.id}", data={**form, "kit_alone_id": str(kit.id)}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, bundle.id).kit_alone_id == kit.id


def test_the_demo_courses_describe_themselves_in_three_languages_and_bundles_save(app, client, now):
    seed_demo(now)
    for course in db.session.scalars(select(Course)):
        for lang in ("ru", "kk", "en"):
            assert len(course.programme(lang)) == 4, (course.slug, lang)
            assert getattr(course, f"teacher_{lang}") and getattr(course, f"refund_terms_{lang}")
    page = client.get("/products/microgreens-kit-with-course").get_data(as_text=True)
    assert "You save ₸2,900" in page
    seed_demo(now)  # twice changes nothing
    assert db.session.scalar(select(Product.kit_alone_id).where(Product.slug == "microgreens-kit-with-course"))
