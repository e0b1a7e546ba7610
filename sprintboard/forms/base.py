"""The base of every form: WTForms' own messages ("This field is required." …) are looked up in
our catalogs, which cover all five languages (WTForms ships no Belarusian catalog)."""

import math
from decimal import Decimal

from flask import request
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import FieldList, FormField

from ..ids import MAX_ID

MAX_AMOUNT = Decimal(10) ** 12


class _Translations:
    """WTForms formats its messages itself: hand back the translated pattern, unformatted."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _Translations()


def _too_big(value) -> bool:
    """A number no column holds (ids and counts are 32-bit, amounts have 12 places before the point)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > MAX_ID
    if isinstance(value, Decimal):
        return not value.is_finite() or abs(value) >= MAX_AMOUNT
    if isinstance(value, float):
        return not math.isfinite(value) or abs(value) >= MAX_AMOUNT
    return False


def _fields(form):
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from _fields(entry.form) if isinstance(entry, FormField) else [entry]
        else:
            yield field


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _TRANSLATIONS

        def wrap_formdata(self, form, formdata):
            # Our forms are HTML forms: a JSON body is not read as their data (Flask-WTF would,
            # and deep nesting in it is a RecursionError).
            if formdata is _Auto and request.is_json:
                formdata = request.form
            return super().wrap_formdata(form, formdata)

        def render_field(self, field, render_kw):
            if field.type == "CSRFTokenField":
                # A page may hold several forms: their tokens carry no id (no id="csrf_token" twice).
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)

    def validate(self, extra_validators=None):
        """WTForms' checks, then one rule for every form: no number too large for the database
        (it would fail there, after the form said yes)."""
        valid = super().validate(extra_validators)
        for field in _fields(self):
            values = field.data if isinstance(field.data, list | tuple) else [field.data]
            if any(_too_big(value) for value in values):
                if isinstance(field.errors, tuple):  # (a field not validated keeps an empty tuple)
                    field.errors = list(field.errors)
                field.errors.append(_("This number is too large."))
                valid = False
        return valid


class ConfirmForm(Form):
    """A button that writes: only the CSRF token."""


# WTForms' messages that our forms can show, listed so that `sprintboard translate update`
# puts them into the catalogs (never called).
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)


def _plural_messages(n):  # pragma: no cover - for the message extractor only
    return (
        ngettext(
            "Field must be at least %(min)d character long.",
            "Field must be at least %(min)d characters long.",
            n,
        ),
        ngettext(
            "Field cannot be longer than %(max)d character.",
            "Field cannot be longer than %(max)d characters.",
            n,
        ),
        ngettext(
            "Field must be exactly %(max)d character long.",
            "Field must be exactly %(max)d characters long.",
            n,
        ),
        ngettext(
            "'%(value)s' is not a valid choice for this field.",
            "'%(value)s' are not valid choices for this field.",
            n,
        ),
    )
