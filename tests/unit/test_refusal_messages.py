"""The refusals a buyer or staff member reads name what went wrong: the kit, the limit, the cities, the learner."""
import pytest
from flask_babel import force_locale

from shop.courses.services import CapacityBelowEnrolments
from shop.orders.placing import CourierNotServed, LearnerMissing, NoLongerSold, TooManyItems


@pytest.mark.parametrize(("make", "message", "details", "field"), [
    (lambda: NoLongerSold("Basil kit"), "«Basil kit» can no longer be bought: remove it from your cart.",
     {"item": "Basil kit"}, None),
    (lambda: TooManyItems(12), "One order can hold at most 12 kits and seats. For a larger order, write to us.",
     {"most": 12}, None),
    (lambda: CourierNotServed("Almaty, Qonaev"),
     "Our courier delivers only in Almaty, Qonaev. Choose KazPost or pickup at the farm.",
     {"cities": "Almaty, Qonaev"}, "city"),
    (lambda: LearnerMissing("Microgreens for two", 2),
     "«Microgreens for two» is for several people: enter the name and e-mail of learner 2.",
     {"item": "Microgreens for two"}, None),
    (lambda: CapacityBelowEnrolments(7, cohort_id=3),
     "This cohort already has 7 seats taken by learners and open checkouts; its capacity cannot be lower.",
     {"taken": 7, "cohort_id": 3}, "capacity"),
])
def test_a_refusal_says_what_was_refused_and_keeps_its_details(app, make, message, details, field):
    with app.test_request_context(), force_locale("en"):
        error = make()
        assert str(error.message) == message
        assert str(error) == message
    assert error.details == details
    assert error.field == field
