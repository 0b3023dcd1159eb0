"""Catalogue forms: the shape of input only."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from ..forms import ShopForm


class StockNoticeForm(ShopForm):
    class Meta:
        csrf = False  # posted from the product page, the same for everyone: checked by origin (shop.same_origin)

    email = EmailField(_l("Your e-mail"), validators=[
        DataRequired(message=_l("Enter your e-mail address.")), Email(message=_l("Enter a valid e-mail address.")),
        Length(max=254)])
