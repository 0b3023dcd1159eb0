"""The checkout form: the shape of the buyer's details."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from ..forms import RadioField, ShopForm, consent_field
from ..phones import InvalidPhone, normalise_phone
from .delivery import LABELS


def kazakh_phone(_form, field) -> None:
    """Write the number as +7 7XX XXX XX XX, or refuse it with an example."""
    try:
        field.data = normalise_phone(field.data)
    except InvalidPhone:
        raise ValidationError(_l("Enter a Kazakh phone number like +7 701 234 56 78 or 8 701 234 56 78.")) from None


class CheckoutForm(ShopForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")),
                                                 Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(min=2, max=200)])
    phone = TelField(_l("Phone"), validators=[DataRequired(), kazakh_phone])
    # Checked below rather than by the field: a cart of course seats alone needs no delivery method at all.
    delivery_method = RadioField(_l("Delivery"), choices=[SelectChoice(code, label) for code, label in LABELS.items()],
                                 default="pickup", validate_choice=False)
    city = StringField(_l("City"), validators=[Length(max=120)])
    address = StringField(_l("Address"), validators=[Length(max=500)])
    apartment = StringField(_l("Apartment or office"), validators=[Length(max=20)])
    entrance = StringField(_l("Entrance"), validators=[Length(max=20)])
    floor = StringField(_l("Floor"), validators=[Length(max=20)])
    intercom = StringField(_l("Intercom code"), validators=[Length(max=40)])
    comment = TextAreaField(_l("Comment on the order"), validators=[Length(max=500)])
    payment_method = RadioField(_l("Payment"))  # the shop's enabled methods, set when the form is made
    accept_terms = consent_field()

    def __init__(self, *args, needs_delivery: bool = True, methods: tuple[str, ...] = ("dummy",), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_delivery = needs_delivery
        self.payment_method.choices = [SelectChoice(code, code) for code in methods]
        if not self.payment_method.data:
            self.payment_method.data = methods[0]


    def validate_delivery_method(self, field):
        if self.needs_delivery and field.data not in LABELS:
            raise ValidationError(_l("Choose how to receive your order."))

    def validate_address(self, field):
        if self.needs_delivery and self.delivery_method.data in ("courier", "post"):
            if not (self.city.data or "").strip():
                self.city.errors.append(_l("Enter the city."))
            if len((field.data or "").strip()) < 5:
                raise ValidationError(_l("Enter the delivery address."))


def learners_from(formdata, rows) -> dict[int, list[tuple[str, str]]]:
    """Return, per cart line of a kit with a course for several people, the (name, e-mail) typed for each seat
    (fields ``learner_name-<line>-<n>`` and ``learner_email-<line>-<n>``); the order's service checks them."""
    learners = {}
    for row in rows:
        line = row.line
        if line.product is None or not line.cohort_id or line.product.seats_per_unit <= 1:
            continue
        learners[line.id] = [(formdata.get(f"learner_name-{line.id}-{number}", "")[:200],
                              formdata.get(f"learner_email-{line.id}-{number}", "")[:254])
                             for number in range(1, line.quantity * line.product.seats_per_unit + 1)]
    return learners
