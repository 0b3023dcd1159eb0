"""Staff forms: the shape of input only; stock, uniqueness and permissions are the services' business."""
import re
import secrets
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.fields import DateField, DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from ..clock import ALMATY
from ..forms import IntegerField, RadioField, SelectField, ShopForm, choice_id
from ..models.course import TOPICS
from ..models.order import FULFILMENT_STATUSES, PAYMENT_STATUSES
from ..money import AmountError, parse_tenge
from ..orders.status import STATUS_LABELS


def slug_rules(max_length: int) -> list:
    """Return the validators of a slug for a column of ``max_length`` characters (``\\Z``: no trailing newline)."""
    return [DataRequired(), Length(max=max_length),
            Regexp(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z", message=_l("Use lowercase Latin letters, digits and hyphens."))]


SLUG = slug_rules(120)
LANGUAGES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
TOPIC_LABELS = {"microgreens": _l("Microgreens"), "hydroponics": _l("Hydroponics"), "herbs": _l("Spicy herbs"),
                "beekeeping": _l("Beekeeping"), "vermiculture": _l("Vermiculture")}
ROLE_LABELS = {"staff": _l("Staff"), "admin": _l("Administrator"), "customer": _l("Customer (no staff access)")}
UNITS = [InputRequired(), NumberRange(min=1, max=100_000)]
PRICE = [InputRequired(), NumberRange(min=0, max=1_000_000_000, message=_l("That amount is too large."))]


def choices(labels: dict) -> list[SelectChoice]:
    """Return select options from {value: label}."""
    return [SelectChoice(value, label) for value, label in labels.items()]


class TengeField(StringField):
    """A price typed in tenge (``12 900`` or ``12900.50``); its data is whole tiyn."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_tenge(valuelist[0])
        except AmountError as error:
            self.data = None
            raise ValueError(error.message) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{Decimal(self.data) / 100:f}".removesuffix(".00")


def _sensible_year(_form, field) -> None:
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Enter a date between the years 2000 and 2100."))


def almaty_datetime(label):
    """A date and time typed in Almaty time; its data is an aware datetime in Asia/Almaty."""
    return DateTimeLocalField(label, validators=[InputRequired(), _sensible_year], tz=ALMATY,
                              format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])


# --- stock -------------------------------------------------------------------------------------------

class ReceiveForm(ShopForm):
    quantity = IntegerField(_l("Units received"), validators=UNITS)
    note = StringField(_l("Supplier and delivery note"), validators=[DataRequired(), Length(max=500)])


class WriteOffForm(ShopForm):
    quantity = IntegerField(_l("Units written off"), validators=UNITS)
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class CountForm(ShopForm):
    counted = IntegerField(_l("Units counted on the shelf"),
                           validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class StocktakeForm(ShopForm):
    file = FileField(_l("Stock-take file (CSV: product code and counted quantity)"), validators=[FileRequired()])
    note = StringField(_l("Note for the ledger (optional)"), validators=[Optional(), Length(max=200)])


class StocktakeApplyForm(ShopForm):
    token = HiddenField(validators=[DataRequired()])


# --- catalogue ---------------------------------------------------------------------------------------

class ProductForm(ShopForm):
    slug = StringField(_l("Address name (slug)"), validators=SLUG)
    category_id = SelectField(_l("Category"), coerce=choice_id, validators=[InputRequired()])
    course_id = SelectField(_l("Includes the course"), coerce=choice_id, default=0)
    kit_alone_id = SelectField(_l("The same kit sold alone"), coerce=choice_id, default=0)
    seats_per_unit = IntegerField(_l("Learners per kit"), default=1,
                                  validators=[Optional(), NumberRange(min=1, max=10)])
    name_ru = StringField(_l("Name (Russian)"), validators=[DataRequired(), Length(max=200)])
    name_kk = StringField(_l("Name (Kazakh)"), validators=[Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    description_ru = TextAreaField(_l("Description (Russian)"), validators=[Length(max=10_000)])
    description_kk = TextAreaField(_l("Description (Kazakh)"), validators=[Length(max=10_000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=10_000)])
    contents_ru = TextAreaField(_l("What's inside, one item per line (Russian)"), validators=[Length(max=5_000)])
    contents_kk = TextAreaField(_l("What's inside, one item per line (Kazakh)"), validators=[Length(max=5_000)])
    contents_en = TextAreaField(_l("What's inside, one item per line (English)"), validators=[Length(max=5_000)])
    price_minor = TengeField(_l("Price, tenge"), validators=PRICE)
    low_stock_threshold = IntegerField(_l("Low-stock threshold"), default=3,
                                       validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    days_to_harvest = IntegerField(_l("Days to harvest"), validators=[Optional(), NumberRange(min=1, max=1000)])
    is_active = BooleanField(_l("On sale"), default=True)
    is_featured = BooleanField(_l("Featured on the home page"))


class ImageForm(ShopForm):
    image = FileField(_l("Picture (JPEG, PNG or WebP, up to 2 MB)"), validators=[FileRequired()])


class CategoryForm(ShopForm):
    slug = StringField(_l("Address name (slug)"), validators=slug_rules(80))  # the column holds 80
    name_ru = StringField(_l("Name (Russian)"), validators=[DataRequired(), Length(max=120)])
    name_kk = StringField(_l("Name (Kazakh)"), validators=[Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=120)])
    position = IntegerField(_l("Position"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10_000)])


_SITE_PATH = re.compile(r"\A/(?![/\\])[^\s<>\"'\\]*\Z")


def link_or_site_path(_form, field) -> None:
    """Accept a full http(s) link or a path on the shop's own site ("/static/…"), as the seed writes them."""
    if field.data and _SITE_PATH.match(field.data):
        return
    URL(message=_l("Enter a full link (https://…) or a path on this site starting with “/”."))(_form, field)


class CourseForm(ShopForm):
    slug = StringField(_l("Address name (slug)"), validators=SLUG)
    topic = SelectField(_l("Topic"), choices=choices({topic: TOPIC_LABELS.get(topic, topic) for topic in TOPICS}))
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=200)])
    title_kk = StringField(_l("Title (Kazakh)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    summary_ru = TextAreaField(_l("Summary (Russian)"), validators=[Length(max=2_000)])
    summary_kk = TextAreaField(_l("Summary (Kazakh)"), validators=[Length(max=2_000)])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Length(max=2_000)])
    description_ru = TextAreaField(_l("Description (Russian)"), validators=[Length(max=10_000)])
    description_kk = TextAreaField(_l("Description (Kazakh)"), validators=[Length(max=10_000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=10_000)])
    materials_url = StringField(_l("Materials link"), validators=[Optional(), Length(max=500), link_or_site_path])
    position = IntegerField(_l("Position"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    is_active = BooleanField(_l("On offer"), default=True)
    keeps_recordings = BooleanField(_l("Lesson recordings are kept for learners"), default=False)
    programme_ru = TextAreaField(_l("Programme, one session per line (Russian)"), validators=[Length(max=10_000)])
    programme_kk = TextAreaField(_l("Programme, one session per line (Kazakh)"), validators=[Length(max=10_000)])
    programme_en = TextAreaField(_l("Programme, one session per line (English)"), validators=[Length(max=10_000)])
    teacher_ru = TextAreaField(_l("Teacher (Russian)"), validators=[Length(max=2_000)])
    teacher_kk = TextAreaField(_l("Teacher (Kazakh)"), validators=[Length(max=2_000)])
    teacher_en = TextAreaField(_l("Teacher (English)"), validators=[Length(max=2_000)])
    online_format_ru = TextAreaField(_l("How online lessons run (Russian)"), validators=[Length(max=2_000)])
    online_format_kk = TextAreaField(_l("How online lessons run (Kazakh)"), validators=[Length(max=2_000)])
    online_format_en = TextAreaField(_l("How online lessons run (English)"), validators=[Length(max=2_000)])
    venue_area_ru = StringField(_l("Where in-person cohorts meet, the area (Russian)"), validators=[Length(max=300)])
    venue_area_kk = StringField(_l("Where in-person cohorts meet, the area (Kazakh)"), validators=[Length(max=300)])
    venue_area_en = StringField(_l("Where in-person cohorts meet, the area (English)"), validators=[Length(max=300)])
    refund_terms_ru = TextAreaField(_l("Refund terms (Russian)"), validators=[Length(max=2_000)])
    refund_terms_kk = TextAreaField(_l("Refund terms (Kazakh)"), validators=[Length(max=2_000)])
    refund_terms_en = TextAreaField(_l("Refund terms (English)"), validators=[Length(max=2_000)])


# --- cohorts -----------------------------------------------------------------------------------------

class CohortForm(ShopForm):
    course_id = SelectField(_l("Course"), coerce=choice_id, validators=[InputRequired()])
    starts_at = almaty_datetime(_l("Starts (Almaty time)"))
    capacity = IntegerField(_l("Seats"), default=12, validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    price_minor = TengeField(_l("Price per seat, tenge"), validators=PRICE)
    language = SelectField(_l("Language"), choices=choices(LANGUAGES))
    format = SelectField(_l("Format"), choices=choices({"online": _l("Online"), "in_person": _l("At the farm")}))
    join_url = StringField(_l("Online join link (shown only to enrolled learners)"),
                           validators=[Optional(), URL(), Length(max=500)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=300)])



class CapacityForm(ShopForm):
    capacity = IntegerField(_l("Seats"), validators=[InputRequired(), NumberRange(min=0, max=10_000)])


class SessionForm(ShopForm):
    starts_at = almaty_datetime(_l("Starts (Almaty time)"))
    duration_minutes = IntegerField(_l("Length, minutes"), default=90,
                                    validators=[InputRequired(), NumberRange(min=10, max=24 * 60)])
    title = StringField(_l("Topic of the session"), validators=[Optional(), Length(max=200)])


# --- orders, customers, staff ------------------------------------------------------------------------

class AuditFilterForm(ShopForm):
    """The audit log's filters, read from the query string; the view gives the choices (the log's own people)."""

    class Meta:
        csrf = False

    person = SelectField(_l("Person"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional(), _sensible_year])
    date_to = DateField(_l("To"), validators=[Optional(), _sensible_year])
    action = StringField(_l("Action code starts with"), validators=[Optional(), Length(max=80)])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and not self.date_from.errors and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class OrderFilterForm(ShopForm):
    """The order list's filters, read from the query string."""

    class Meta:
        csrf = False

    # Either state: "paid" lists paid orders however far they got, "shipped" shipped ones however refunded
    status = SelectField(_l("Status"), validators=[Optional()], choices=choices({
        "": _l("Any status"), "to_pack": _l("To pack (paid, not packed yet)"),
        **{s: _l("Payment: %(state)s", state=STATUS_LABELS[s]) for s in PAYMENT_STATUSES},
        **{s: _l("Delivery: %(state)s", state=STATUS_LABELS[s]) for s in FULFILMENT_STATUSES}}))
    delivery_method = SelectField(_l("Delivery"), validators=[Optional()], choices=choices(
        {"": _l("Any delivery"), "pickup": _l("Pickup"), "courier": _l("Courier"), "post": _l("Post")}))
    date_from = DateField(_l("From"), validators=[Optional(), _sensible_year])
    date_to = DateField(_l("To"), validators=[Optional(), _sensible_year])
    q = StringField(_l("E-mail, name or order number"), validators=[Optional(), Length(max=100)])


class StatusForm(ShopForm):
    to_status = StringField(validators=[DataRequired(), Length(max=30)])
    tracking_number = StringField(_l("Tracking number"), validators=[Optional(), Length(max=100)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


REFUND_BASES = {"lines": _l("What the chosen units and the delivery fee are worth"),
                "amount": _l("A free amount instead (only when no line fits)")}


class RefundForm(ShopForm):
    # Made when the form is shown: the same form sent twice (a double click) refunds once.
    request_key = HiddenField(default=lambda: secrets.token_urlsafe(16), validators=[Length(max=64)])
    basis = RadioField(_l("Refund"), choices=choices(REFUND_BASES), default="lines")
    amount_minor = TengeField(_l("Free amount, tenge"), validators=[Optional(), *PRICE[1:]])
    refund_delivery = BooleanField(_l("Refund the delivery fee"))
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    provider_reference = StringField(_l("Reference of the refund in Kaspi's app"), validators=[Length(max=200)])
    cancel_seats = BooleanField(_l("Cancel this order's course places (always done for a full refund)"))
    confirm = HiddenField()  # "1" on the confirmation step's button: only then is the refund made

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.basis.data == "amount" and self.amount_minor.data is None and not self.amount_minor.errors:
            self.amount_minor.errors = [*self.amount_minor.errors,
                                        _l("Enter the amount to refund, or refund by line instead.")]
            return False
        return valid

    @property
    def confirmed(self) -> bool:
        return self.confirm.data == "1"


def refund_form(order, **defaults) -> RefundForm:
    """Return a refund form with, for each line, the units given back and (kits) the units put back on the shelf."""

    class OrderRefundForm(RefundForm):
        pass

    for line in order.lines:
        setattr(OrderRefundForm, f"refund_{line.id}", IntegerField(
            _l("Units of «%(name)s» refunded", name=line.name), default=0,
            validators=[Optional(), NumberRange(min=0, max=line.quantity)]))
        if line.product_id:
            left = line.quantity - line.returned_quantity
            setattr(OrderRefundForm, f"restock_{line.id}", IntegerField(
                _l("Units of «%(name)s» to put back on the shelf", name=line.name), default=0,
                validators=[Optional(), NumberRange(min=0, max=left)]))
    return OrderRefundForm(**defaults)


def _units(form: RefundForm, prefix: str) -> dict[int, int]:
    return {int(name.removeprefix(prefix)): field.data for name, field in form._fields.items()
            if name.startswith(prefix) and name.removeprefix(prefix).isdigit() and field.data}


def restock_choice(form: RefundForm) -> dict[int, int]:
    """Return {order line id: units to restock} from a refund form, leaving out zeros."""
    return _units(form, "restock_")


def refunded_units_choice(form: RefundForm) -> dict[int, int]:
    """Return {order line id: units given back} from a refund form, leaving out zeros."""
    return _units(form, "refund_")


class NoteForm(ShopForm):
    body = TextAreaField(_l("Internal note (buyers never see it)"), validators=[DataRequired(), Length(max=2_000)])


class CustomerNoteForm(NoteForm):
    email = HiddenField(validators=[DataRequired(), Length(max=254)])


class KaspiPaidForm(ShopForm):
    transaction = StringField(_l("Kaspi transaction number"), validators=[
        DataRequired(), Length(min=4, max=64),
        Regexp(r"\A[0-9A-Za-z\-]+\Z", message=_l("Copy the transaction number as Kaspi shows it."))])


class RoleForm(ShopForm):
    email = StringField(_l("E-mail of an existing account"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS))


def form_values(form: ShopForm) -> dict:
    """Return the form's data without its CSRF token, ready for a service; texts left out become ""."""
    return {name: "" if value is None and type(form[name]) in (StringField, TextAreaField) else value
            for name, value in form.data.items() if name != "csrf_token"}


# --- the shop's details and information pages ----------------------------------------------------------

def https_link(max_length: int) -> list:
    """Return the validators of an optional link shown to visitors: https only, so never ``javascript:``."""
    return [Optional(), Length(max=max_length),
            Regexp(r"\Ahttps://[^\s<>\"']+\Z", message=_l("Enter a link that starts with https://."))]


class ShopDetailsForm(ShopForm):
    legal_name_ru = StringField(_l("Legal name (Russian)"), validators=[DataRequired(), Length(max=200)])
    legal_name_kk = StringField(_l("Legal name (Kazakh)"), validators=[Length(max=200)])
    legal_name_en = StringField(_l("Legal name (English)"), validators=[Length(max=200)])
    bin_iin = StringField(_l("BIN or IIN"), validators=[
        DataRequired(), Regexp(r"\A[0-9]{12}\Z", message=_l("A BIN or IIN is 12 digits."))])
    legal_address_ru = StringField(_l("Legal address (Russian)"), validators=[DataRequired(), Length(max=300)])
    legal_address_kk = StringField(_l("Legal address (Kazakh)"), validators=[Length(max=300)])
    legal_address_en = StringField(_l("Legal address (English)"), validators=[Length(max=300)])
    pickup_address_ru = StringField(_l("Pickup address (Russian)"), validators=[DataRequired(), Length(max=300)])
    pickup_address_kk = StringField(_l("Pickup address (Kazakh)"), validators=[Length(max=300)])
    pickup_address_en = StringField(_l("Pickup address (English)"), validators=[Length(max=300)])
    pickup_hours_ru = StringField(_l("Pickup hours (Russian)"), validators=[DataRequired(), Length(max=200)])
    pickup_hours_kk = StringField(_l("Pickup hours (Kazakh)"), validators=[Length(max=200)])
    pickup_hours_en = StringField(_l("Pickup hours (English)"), validators=[Length(max=200)])
    phone = StringField(_l("Phone"), validators=[
        DataRequired(), Regexp(r"\A\+?[0-9 ()\-]{10,20}\Z", message=_l("Enter a phone number like +7 701 234 56 78."))])
    email = StringField(_l("E-mail"), validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")),
                                                  Length(max=254)])
    whatsapp_url = StringField(_l("WhatsApp link (https://wa.me/…)"), validators=https_link(300))
    telegram_url = StringField(_l("Telegram link (https://t.me/…)"), validators=https_link(300))
    map_url = StringField(_l("Map link (2GIS, Yandex or Google Maps)"), validators=https_link(500))


PAGE_TEXT = [Length(max=100_000)]


class InfoPageForm(ShopForm):
    # The version the editor started from: saving refuses when someone saved a newer one meanwhile.
    base_version = IntegerField(widget=HiddenInput(), default=0,
                                validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=200)])
    title_kk = StringField(_l("Title (Kazakh)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    body_ru = TextAreaField(_l("Text (Russian)"), validators=[DataRequired(), *PAGE_TEXT])
    body_kk = TextAreaField(_l("Text (Kazakh)"), validators=PAGE_TEXT)
    body_en = TextAreaField(_l("Text (English)"), validators=PAGE_TEXT)


class SynonymsForm(ShopForm):
    groups = TextAreaField(_l("Synonym groups"), validators=[Length(max=20000)], render_kw={"rows": 14})
