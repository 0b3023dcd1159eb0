"""Structured data (schema.org JSON-LD) that search engines read: products, courses, the farm, breadcrumbs."""
from datetime import datetime

from ..clock import utcnow
from ..courses.services import CohortInfo
from ..models import Course, Product

AVAILABILITY = {True: "https://schema.org/InStock", False: "https://schema.org/OutOfStock"}


def _tenge(amount_minor: int) -> str:
    return f"{amount_minor // 100}.{amount_minor % 100:02d}"


def organization(*, name: str, url: str, logo: str, details=None) -> dict:
    """Return the farm as a LocalBusiness (an Organization with an address and hours)."""
    data = {"@context": "https://schema.org", "@type": "LocalBusiness", "name": name, "url": url, "logo": logo,
            "image": logo, "priceRange": "₸₸",
            "address": {"@type": "PostalAddress", "addressLocality": "Almaty", "addressCountry": "KZ"}}
    if details is not None:
        data.update({key: value for key, value in details.items() if value})
    return data


def product(item: Product, *, available: int, locale: str, url: str, image: str, brand: str) -> dict:
    """Return a kit as a Product with one Offer in KZT whose availability matches the shop's stock."""
    return {"@context": "https://schema.org", "@type": "Product", "name": item.tr("name", locale),
            "description": item.tr("description", locale)[:500], "sku": item.slug, "image": [image], "url": url,
            "brand": {"@type": "Brand", "name": brand},
            "offers": {"@type": "Offer", "price": _tenge(item.price_minor), "priceCurrency": "KZT", "url": url,
                       "availability": AVAILABILITY[available > 0], "itemCondition": "https://schema.org/NewCondition"}}


def course(item: Course, cohorts: list[CohortInfo], *, locale: str, url: str, image: str, provider: dict) -> dict:
    """Return a course with a CourseInstance per dated cohort (mode, start, online or where it meets)."""
    return {"@context": "https://schema.org", "@type": "Course", "name": item.tr("title", locale),
            "description": (item.tr("summary", locale) or item.tr("description", locale))[:500], "url": url,
            "image": image, "provider": {"@type": "Organization", "name": provider["name"], "url": provider["url"]},
            "hasCourseInstance": [_instance(info, url) for info in cohorts if not info.cohort.is_cancelled]}


def _instance(info: CohortInfo, url: str) -> dict:
    cohort = info.cohort
    online = cohort.format == "online"
    instance = {"@type": "CourseInstance", "courseMode": "online" if online else "onsite",
                "startDate": _iso(cohort.starts_at), "endDate": _iso(cohort.ends_at), "inLanguage": cohort.language,
                "offers": {"@type": "Offer", "price": _tenge(cohort.price_minor), "priceCurrency": "KZT", "url": url,
                           "availability": AVAILABILITY[info.is_bookable]}}
    instance["location"] = ({"@type": "VirtualLocation", "url": url} if online else
                            {"@type": "Place", "name": cohort.venue or "City Farm",
                             "address": {"@type": "PostalAddress", "addressLocality": "Almaty",
                                         "addressCountry": "KZ"}})
    return instance


def _iso(moment: datetime) -> str:
    return moment.isoformat() if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo).isoformat()


def breadcrumbs(items: list[tuple[str, str]]) -> dict:
    """Return a BreadcrumbList of (name, absolute URL), outermost first."""
    return {"@context": "https://schema.org", "@type": "BreadcrumbList",
            "itemListElement": [{"@type": "ListItem", "position": number, "name": name, "item": url}
                                for number, (name, url) in enumerate(items, start=1)]}
