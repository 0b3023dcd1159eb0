"""Small keyword-default builders for tests; each commits what it makes."""
import itertools
from datetime import datetime, timedelta

from shop.clock import utcnow
from shop.extensions import db
from shop.inventory.services import receive_stock
from shop.models import Category, Cohort, CohortSession, Course, Product, User

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"


def make_category(slug: str | None = None) -> Category:
    number = next(_numbers)
    category = Category(slug=slug or f"category-{number}", name_ru=f"Категория {number}", name_en=f"Category {number}",
                        name_kk=f"Санат {number}")
    db.session.add(category)
    db.session.commit()
    return category


def make_product(*, stock: int = 10, price: int = 790000, slug: str | None = None, category: Category | None = None,
                 course: Course | None = None, is_active: bool = True, name: str | None = None,
                 threshold: int = 3) -> Product:
    number = next(_numbers)
    product = Product(
        slug=slug or f"kit-{number}", category=category or make_category(), price_minor=price,
        name_ru=name or f"Набор {number}", name_en=name or f"Kit {number}", name_kk=name or f"Жинақ {number}",
        description_ru="Описание", contents_ru="Горшок\nСемена", is_active=is_active, course=course,
        low_stock_threshold=threshold,
    )
    db.session.add(product)
    db.session.flush()
    if stock:
        receive_stock(product, stock, now=utcnow(), reason="test stock")
    db.session.commit()
    return product


def make_course(slug: str | None = None, topic: str = "microgreens") -> Course:
    number = next(_numbers)
    course = Course(slug=slug or f"course-{number}", topic=topic, title_ru=f"Курс {number}",
                    title_en=f"Course {number}",
                    title_kk=f"Курс {number}", summary_ru="Кратко")
    db.session.add(course)
    db.session.commit()
    return course


def make_cohort(*, course: Course | None = None, capacity: int = 10, price: int = 1990000,
                starts_at: datetime | None = None, sessions: int = 3, join_url: str = "https://meet.example/secret-room",
                is_cancelled: bool = False) -> Cohort:
    start = starts_at or utcnow() + timedelta(days=10)
    cohort = Cohort(course=course or make_course(), capacity=capacity, price_minor=price, starts_at=start,
                    join_url=join_url, is_cancelled=is_cancelled)
    cohort.sessions = [CohortSession(starts_at=start + timedelta(days=7 * n), duration_minutes=90)
                       for n in range(sessions)]
    db.session.add(cohort)
    db.session.commit()
    return cohort


def make_user(*, email: str | None = None, role: str = "customer", password: str = PASSWORD,
              full_name: str = "Айгерим Сапарова", verified: bool = True) -> User:
    """An account whose owner proved the address (``verified=False``: one that was only registered)."""
    user = User(email=email or f"user{next(_numbers)}@example.kz", role=role, full_name=full_name,
                email_verified_at=utcnow() if verified else None)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def wait_in_line(cohort_id: int, email: str, *, now: datetime, **options):
    """Join a cohort's waiting list and confirm the address by the e-mailed link, as a person would."""
    from shop.courses.waitlist import confirm_token, confirm_waitlist, join_waitlist

    entry = join_waitlist(cohort_id, email, now=now, **options)
    return confirm_waitlist(confirm_token(entry), now=now)
