"""Forms of the payment pages: the shape of input only."""
from flask_babel import lazy_gettext as _l
from wtforms import TelField
from wtforms.validators import DataRequired, Regexp

from ..checkout.forms import PHONE
from ..forms import ShopForm


class KaspiPhoneForm(ShopForm):
    phone = TelField(_l("The number your Kaspi app uses"), validators=[
        DataRequired(), Regexp(PHONE, message=_l("Enter a phone number like +7 701 234 56 78."))])
