"""The base every form inherits, and the fields it uses for numbers and choices.

Whatever a client posts gets a message, never a 500: a one-line text refuses line breaks and control
characters (they would end up in e-mail headers, calendar files and CSV), a long text refuses control
characters but keeps its lines, a whole number is ASCII digits, and a choice sent empty, missing or unknown
asks to choose.
"""
import re

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.form import SUBMIT_METHODS, _Auto
from werkzeug.datastructures import MultiDict
from wtforms import fields
from wtforms.validators import DataRequired, StopValidation, ValidationError

from .inputs import has_control, whole_number

ONE_LINE_MESSAGE = _l("This field cannot contain line breaks or control characters.")
CONTROL_MESSAGE = _l("This field cannot contain control characters.")
CHOOSE_MESSAGE = _l("Choose one of the options.")
WHOLE_NUMBER_MESSAGE = _l("Enter a whole number.")
CONSENT_MESSAGE = _l("To continue, accept the offer and consent to the processing of your personal data.")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")


def _refuse_control_characters(keep_line_breaks: bool):
    message = CONTROL_MESSAGE if keep_line_breaks else ONE_LINE_MESSAGE

    def refuse(_form, field) -> None:
        if any(isinstance(raw, str) and has_control(raw, keep_line_breaks=keep_line_breaks)
               for raw in field.raw_data or ()):
            raise StopValidation(message)

    return refuse


def _unix_line_breaks(value):
    """Keep a text's line breaks as "\n" whatever the browser sent ("\r\n"), so saving unchanged changes nothing."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class ShopForm(FlaskForm):
    """Every form of the shop and the staff area: texts are checked for control characters first.

    A form reads the posted form fields, and uploaded files only for its file fields: Flask-WTF would also
    read a JSON body or put an uploaded file into a text field, and neither is text a validator can check.
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is not _Auto:
                return super().wrap_formdata(form, formdata)
            if not request or request.method not in SUBMIT_METHODS:
                return None
            data = MultiDict(request.form)
            for field in form:
                if isinstance(field, FileField) and field.name in request.files:
                    data.setlist(field.name, request.files.getlist(field.name))
            return data or None

        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, fields.StringField):
                keep = isinstance(field, fields.TextAreaField)
                field.validators = [_refuse_control_characters(keep), *field.validators]
                if keep:
                    field.filters = (*field.filters, _unix_line_breaks)
            return field


class IntegerField(fields.IntegerField):
    """A whole number typed in ASCII digits: ``²`` or ``٣`` get a message instead of a crash or a misreading."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        if not _WHOLE_NUMBER.fullmatch(text):
            self.data = None
            raise ValueError(WHOLE_NUMBER_MESSAGE)
        self.data = int(text)


def choice_id(value) -> int:
    """Coerce a posted id for a choice: ASCII digits within the id range, else ValueError."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = whole_number(value.strip() if isinstance(value, str) else value)
    if number is None:
        raise ValueError(value)
    return number


class SelectField(fields.SelectField):
    """A drop-down whose empty, missing or unknown value asks to choose."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_value_message", CHOOSE_MESSAGE)
        kwargs.setdefault("invalid_choice_message", CHOOSE_MESSAGE)
        super().__init__(*args, **kwargs)


class SelectMultipleField(fields.SelectMultipleField):
    """A multiple choice of ids: anything but ids among the choices asks to choose."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", choice_id)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if self.data and any(value not in {choice[0] for choice in self.choices or []} for value in self.data):
            raise ValidationError(CHOOSE_MESSAGE)


class RadioField(fields.RadioField):
    """Radio buttons whose empty, missing or unknown value asks to choose."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_value_message", CHOOSE_MESSAGE)
        kwargs.setdefault("invalid_choice_message", CHOOSE_MESSAGE)
        super().__init__(*args, **kwargs)


class ConfirmForm(ShopForm):
    """A button that only needs its CSRF token: confirming what an e-mailed link asks (mail scanners open
    links too, so a link alone changes nothing), and the staff's cancel, delete and make-main buttons."""


def consent_field() -> fields.BooleanField:
    """The required checkbox ``accept_terms`` (value ``y``): the offer accepted and consent to the processing of
    personal data. The service records it with the versions of both texts; this only checks it was ticked."""
    return fields.BooleanField(_l("I accept the offer and consent to the processing of my personal data"),
                               validators=[DataRequired(message=CONSENT_MESSAGE)])
