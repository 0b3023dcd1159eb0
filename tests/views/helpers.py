"""Shared steps of the view tests: fill a cart, check out, pay on the dummy page."""
from urllib.parse import urlsplit

BUYER = {"email": "buyer@example.kz", "full_name": "Дана Омарова", "phone": "+7 701 234 56 78",
         "delivery_method": "courier", "city": "Алматы", "address": "пр. Абая 10, кв. 5", "accept_terms": "y"}


def add(client, product=None, quantity=1, cohort=None):
    data = {"quantity": str(quantity)}
    if product is not None:
        data["product"] = product.slug
    if cohort is not None:
        data["cohort"] = str(cohort.id)
    return client.post("/cart/add", data=data)


def check_out(client, **changes):
    return client.post("/checkout", data={**BUYER, **changes})


def path_of(response) -> str:
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pay_dummy(client, outcome="pay"):
    """Check out and press a button on the dummy provider's page; return the answer."""
    response = check_out(client)
    assert response.status_code == 303, response.data[:400]
    return client.post(path_of(response), data={"outcome": outcome})


def join_waitlist_by_form(client, cohort, email: str):
    """Join a full cohort's waiting list on its page and confirm by the e-mailed link; return the last answer."""
    import re

    from sqlalchemy import select

    from shop.extensions import db
    from shop.models import OutboxMessage

    client.post(f"/courses/{cohort.course.slug}/cohorts/{cohort.id}/waitlist", data={"email": email})
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == email.strip().lower(),
                                                            OutboxMessage.dedupe_key.startswith("waitlist-confirm:")))
    link = re.search(r"https?://[^/\s]+((?:/en|/kk)?/courses/waitlist/confirm/\S+)", message.body_text).group(1)
    return client.post(link)
