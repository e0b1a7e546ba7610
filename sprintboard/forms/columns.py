from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from ..models import LABEL_COLOURS
from ..services.columns import COLUMN_NAME_MAX, LABEL_NAME_MAX
from . import options
from .base import Form

COLOUR_LABELS = {
    "blue": _l("Blue"),
    "green": _l("Green"),
    "orange": _l("Orange"),
    "red": _l("Red"),
    "purple": _l("Purple"),
    "teal": _l("Teal"),
    "grey": _l("Grey"),
}


def colour_choices():
    return options((colour, COLOUR_LABELS[colour]) for colour in LABEL_COLOURS)


class ColumnForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=COLUMN_NAME_MAX)])
    wip_limit = IntegerField(_l("WIP limit"), validators=[Optional(), NumberRange(min=1, max=999)])
    is_done = BooleanField(_l("Cards here are done"))


class NewColumnForm(Form):
    name = StringField(_l("Name of the new column"), validators=[DataRequired(), Length(max=COLUMN_NAME_MAX)])


class MoveColumnForm(Form):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class LabelForm(Form):
    name = StringField(_l("Label"), validators=[DataRequired(), Length(max=LABEL_NAME_MAX)])
    colour = SelectField(_l("Colour"), choices=colour_choices, default="blue")
