"""The staff form of a promo code: the shape of input only (uniqueness and limits are the service's)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..clock import ALMATY
from ..forms import IntegerField, SelectField, SelectMultipleField, ShopForm
from .forms import TengeField, choices

KIND_LABELS = {"percent": _l("Percentage off"), "fixed": _l("Fixed amount off, tenge")}
SCOPE_LABELS = {"order": _l("The whole order"), "items": _l("Chosen products or categories"),
                "courses": _l("Course seats")}
_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _optional_almaty(label):
    return DateTimeLocalField(label, validators=[Optional()], tz=ALMATY, format=_TIME_FORMATS)


class PromoCodeForm(ShopForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(min=2, max=40), Regexp(
        r"\A[A-Za-z0-9][A-Za-z0-9_-]+\Z", message=_l("Use Latin letters, digits, hyphens and underscores."))])
    kind = SelectField(_l("Discount"), choices=choices(KIND_LABELS))
    percent = IntegerField(_l("Percent"), validators=[Optional(), NumberRange(min=1, max=100)])
    amount_minor = TengeField(_l("Amount, tenge"), validators=[Optional(), NumberRange(min=1, max=1_000_000_000)])
    scope = SelectField(_l("Applies to"), choices=choices(SCOPE_LABELS))
    product_ids = SelectMultipleField(_l("Products"))
    category_ids = SelectMultipleField(_l("Categories"))
    includes_delivery = BooleanField(_l("Also off the delivery fee"))
    valid_from = _optional_almaty(_l("Valid from (Almaty time)"))
    valid_until = _optional_almaty(_l("Valid until (Almaty time)"))
    min_order_minor = TengeField(_l("Minimum order, tenge"), validators=[Optional(), NumberRange(min=0,
                                                                                                   max=1_000_000_000)])
    max_uses = IntegerField(_l("Uses in all"), validators=[Optional(), NumberRange(min=1, max=1_000_000)])
    max_uses_per_customer = IntegerField(_l("Uses per customer"),
                                         validators=[Optional(), NumberRange(min=1, max=1_000_000)])
    is_active = BooleanField(_l("Active"), default=True)

    def validate_percent(self, field):
        if self.kind.data == "percent" and not field.data:
            raise ValidationError(_l("Enter the percent."))

    def validate_amount_minor(self, field):
        if self.kind.data == "fixed" and not field.data:
            raise ValidationError(_l("Enter the amount."))

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data <= self.valid_from.data:
            raise ValidationError(_l("The end must come after the start."))

    def validate_product_ids(self, field):
        if self.scope.data == "items" and not field.data and not self.category_ids.data:
            raise ValidationError(_l("Choose the products or categories the code applies to."))
