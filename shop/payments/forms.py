"""Forms of the payment pages: the shape of input only."""
from flask_babel import lazy_gettext as _l
from wtforms import TelField
from wtforms.validators import DataRequired

from ..checkout.forms import kazakh_phone
from ..forms import ShopForm


class KaspiPhoneForm(ShopForm):
    phone = TelField(_l("The number your Kaspi app uses"), validators=[DataRequired(), kazakh_phone])
