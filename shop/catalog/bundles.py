"""What a kit with a course saves against its kit and its course bought apart, from today's prices."""
from dataclasses import dataclass

from ..models import Cohort, Product


@dataclass(frozen=True)
class BundleSaving:
    kit_minor: int  # the same kit sold alone
    course_minor: int  # a seat in the chosen cohort
    bundle_minor: int

    @property
    def apart_minor(self) -> int:
        return self.kit_minor + self.course_minor

    @property
    def saving_minor(self) -> int:
        return self.apart_minor - self.bundle_minor


def bundle_saving(product: Product, cohort: Cohort | None) -> BundleSaving | None:
    """Return what buying ``product`` (a kit with a course) with a seat in ``cohort`` saves, or None when it
    names no kit sold alone, no cohort is chosen, or the bundle saves nothing."""
    if product.course_id is None or cohort is None or product.kit_alone_id is None:
        return None
    kit = product.kit_alone
    if kit is None or not kit.is_active:
        return None
    saving = BundleSaving(kit.price_minor, cohort.price_minor, product.price_minor)
    return saving if saving.saving_minor > 0 else None
