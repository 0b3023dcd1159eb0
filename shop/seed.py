"""Load the demo catalogue, courses and cohorts, the shop's details and its information pages; running it again
changes nothing (what exists already, staff's own edits included, is left as it is)."""
from datetime import datetime, timedelta

from sqlalchemy import select

from .clock import ALMATY, to_local
from .database import unit_of_work
from .extensions import db
from .inventory.services import receive_stock
from .models import Category, Cohort, CohortSession, Course, Product, ProductImage
from .models.content import SHOP_DETAILS_ID, InfoPage, InfoPageVersion, ShopDetails
from .pages.markup import clean_page_text
from .search.services import seed_synonyms
from .seed_data import CATEGORIES, COURSE_PAGES, COURSES, KIT_ALONE, PRODUCTS, VENUE
from .seed_pages import PAGES, SHOP_DETAILS

SESSIONS_PER_COHORT = 4


def _first_session(now: datetime, weeks_ahead: int) -> datetime:
    local = to_local(now).replace(hour=19, minute=0, second=0, microsecond=0)
    days_to_saturday = (5 - local.weekday()) % 7 or 7
    return (local + timedelta(days=days_to_saturday + 7 * weeks_ahead)).astimezone(ALMATY)


def _seed_courses(now: datetime) -> dict[str, Course]:
    courses = {}
    for position, data in enumerate(COURSES):
        course = db.session.scalar(select(Course).where(Course.slug == data["slug"]))
        if course is None:
            course = Course(slug=data["slug"], topic=data["topic"], position=position,
                            materials_url=f"/static/img/courses/{data['topic']}.svg")
            for lang, title, summary in zip(("ru", "kk", "en"), data["title"], data["summary"], strict=True):
                setattr(course, f"title_{lang}", title)
                setattr(course, f"summary_{lang}", summary)
            db.session.add(course)
            db.session.flush()
            _seed_cohorts(course, data, now)
        _seed_course_page(course)
        courses[course.slug] = course
    return courses


def _seed_course_page(course: Course) -> None:
    """Fill the course page's texts that are still empty (a demo course seeded before they existed)."""
    page = COURSE_PAGES.get(course.slug)
    if page is None:
        return
    if not any(getattr(course, f"programme_{lang}") for lang in ("ru", "kk", "en")):
        course.keeps_recordings = page["recordings"]
    for field in ("programme", "teacher", "online_format", "venue_area", "refund_terms"):
        for lang, text in zip(("ru", "kk", "en"), page[field], strict=True):
            if not getattr(course, f"{field}_{lang}"):
                setattr(course, f"{field}_{lang}", text)


def _link_kits_sold_alone() -> None:
    """Name the kit sold alone of each demo kit with a course that names none yet."""
    for bundle_slug, kit_slug in KIT_ALONE.items():
        bundle = db.session.scalar(select(Product).where(Product.slug == bundle_slug))
        kit = db.session.scalar(select(Product).where(Product.slug == kit_slug))
        if bundle is not None and kit is not None and bundle.kit_alone_id is None:
            bundle.kit_alone_id = kit.id


def _seed_cohorts(course: Course, data: dict, now: datetime) -> None:
    for number, capacity in enumerate(data["capacity"]):
        start = _first_session(now, 1 + number * 3 + course.position % 2)
        in_person = data.get("in_person", False)
        cohort = Cohort(
            course=course, starts_at=start, capacity=capacity, price_minor=data["price"] * 100,
            language="kk" if number == 1 else "ru", format="in_person" if in_person else "online",
            join_url="" if in_person else f"https://meet.cityfarm.kz/{course.slug}-{number + 1}",
            venue=VENUE if in_person else "", created_at=now,
        )
        cohort.sessions = [
            CohortSession(starts_at=start + timedelta(days=7 * lesson), duration_minutes=90,
                          title=f"{lesson + 1}")
            for lesson in range(SESSIONS_PER_COHORT)
        ]
        db.session.add(cohort)


def _seed_product(data: dict, categories: dict[str, Category], courses: dict[str, Course], now: datetime) -> None:
    product = Product(
        slug=data["slug"], category=categories[data["category"]], price_minor=data["price"] * 100,
        days_to_harvest=data["days"], is_featured=data.get("featured", False),
        course=courses.get(data.get("course", "")), created_at=now, updated_at=now,
        images=[ProductImage(path=f"img/products/{data['slug']}.svg", width=400, height=300)],
    )
    for field in ("name", "description", "contents"):
        for lang, text in zip(("ru", "kk", "en"), data[field], strict=True):
            setattr(product, f"{field}_{lang}", text)
    db.session.add(product)
    db.session.flush()
    if data["stock"]:
        receive_stock(product, data["stock"], now=now, reason="Demo catalogue: opening stock")


def _seed_shop_details(now: datetime) -> None:
    if db.session.get(ShopDetails, SHOP_DETAILS_ID) is None:
        db.session.add(ShopDetails(id=SHOP_DETAILS_ID, updated_at=now, **SHOP_DETAILS))


def _seed_pages(now: datetime) -> None:
    """Write version 1 of each information page that has no text yet."""
    existing = set(db.session.scalars(select(InfoPage.slug)))
    for slug, data in PAGES.items():
        if slug in existing:
            continue
        page = InfoPage(slug=slug, version=1)
        version = InfoPageVersion(number=1, created_at=now)
        for lang, title, body in zip(("ru", "kk", "en"), data["title"], data["body"], strict=True):
            setattr(version, f"title_{lang}", title)
            setattr(version, f"body_{lang}", clean_page_text(body))
        page.versions = [version]
        db.session.add(page)


def seed_demo(now: datetime) -> int:
    """Create whatever of the demo catalogue is missing; return how many products were added."""
    added = 0
    with unit_of_work():
        categories = {}
        for position, (slug, ru, kk, en) in enumerate(CATEGORIES):
            category = db.session.scalar(select(Category).where(Category.slug == slug))
            if category is None:
                category = Category(slug=slug, name_ru=ru, name_kk=kk, name_en=en, position=position)
                db.session.add(category)
            categories[slug] = category
        db.session.flush()
        courses = _seed_courses(now)
        existing = set(db.session.scalars(select(Product.slug)))
        for data in PRODUCTS:
            if data["slug"] not in existing:
                _seed_product(data, categories, courses, now)
                added += 1
        db.session.flush()
        _link_kits_sold_alone()
        _seed_shop_details(now)
        _seed_pages(now)
        seed_synonyms()
    return added


def is_empty() -> bool:
    """Return True when the catalogue has no products yet."""
    return db.session.scalar(select(Product.id).limit(1)) is None
