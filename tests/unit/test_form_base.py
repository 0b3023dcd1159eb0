"""Every form of the shop and the staff area is a ShopForm, with the shop's number and choice fields."""
import importlib
import pkgutil

from flask_wtf import FlaskForm
from wtforms import fields
from wtforms.fields.core import UnboundField
from wtforms.validators import NumberRange

import shop
from shop.forms import ShopForm
from shop.inputs import MAX_ID


def _form_classes() -> list[type]:
    for module in pkgutil.walk_packages(shop.__path__, "shop."):
        if module.name.endswith(("forms", ".views")) or ".views." in module.name:
            importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for child in todo.pop().__subclasses__():
            todo.append(child)
            if child.__module__.startswith("shop.") and "<locals>" not in child.__qualname__:
                found.append(child)  # (a form built for one order, like its refund form, is its base's kind)
    return found


def test_every_form_of_the_shop_checks_texts_numbers_and_choices():
    classes = _form_classes()
    assert len(classes) > 20
    for form_class in classes:
        assert issubclass(form_class, ShopForm), form_class
        for name in dir(form_class):
            unbound = getattr(form_class, name)
            if not isinstance(unbound, UnboundField):
                continue
            kind = unbound.field_class
            if issubclass(kind, fields.IntegerField):
                assert kind.__module__ == "shop.forms", (form_class, name)
                ranges = [rule for rule in unbound.kwargs.get("validators", []) if isinstance(rule, NumberRange)]
                assert ranges and all(rule.max is not None and rule.max <= MAX_ID for rule in ranges), \
                    (form_class, name)
            if issubclass(kind, fields.SelectFieldBase):
                assert kind.__module__ == "shop.forms", (form_class, name)
