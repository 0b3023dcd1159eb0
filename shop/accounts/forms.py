"""Account forms: the shape of input only."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..forms import ShopForm, consent_field

EMAIL = [DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)]


class RegisterForm(ShopForm):
    email = EmailField(_l("E-mail"), validators=EMAIL)
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=200)])
    accept_terms = consent_field()


class LoginForm(ShopForm):
    email = EmailField(_l("E-mail"), validators=EMAIL)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class ResetRequestForm(ShopForm):
    email = EmailField(_l("E-mail"), validators=EMAIL)


class ResetPasswordForm(ShopForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])


class ChangePasswordForm(ShopForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])
