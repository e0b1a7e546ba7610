"""The form that makes a personal API token."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from ..models import API_SCOPES
from . import options
from .base import Form

EXPIRY_LABELS = {0: _l("Never"), 30: _l("In 30 days"), 90: _l("In 90 days"), 365: _l("In a year")}


class TokenForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("What the token is for, e.g. the script that uses it."),
    )
    # (no `required` on the selects: a select always sends one of its options, checked by WTForms)
    partnership = SelectField(_l("Partnership"), coerce=int)
    scope = RadioField(
        _l("Access"),
        choices=options((("read", _l("Read only")), ("write", _l("Read and write")))),
        default="read",
        validators=[InputRequired(), AnyOf(API_SCOPES)],
    )
    expires = SelectField(
        _l("Expires"),
        coerce=int,
        choices=options(EXPIRY_LABELS.items()),
        default=90,
    )
