from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from . import options
from .base import Form
from .projects import language_field

RETRO_LABELS = {
    "well": _l("Went well"),
    "improve": _l("To improve"),
    "action": _l("Actions"),
}


class TimeboxForm(Form):
    minutes = IntegerField(
        _l("Minutes"), default=10, validators=[DataRequired(), NumberRange(min=1, max=240)]
    )
    label = StringField(_l("What for (optional)"), validators=[Optional(), Length(max=120)])


class VoteSessionForm(Form):
    question = StringField(_l("Question"), validators=[DataRequired(), Length(max=200)])
    votes_per_person = IntegerField(
        _l("Votes per person"), default=3, validators=[DataRequired(), NumberRange(min=1, max=20)]
    )
    cards = SelectMultipleField(_l("Cards to vote on"), coerce=int, validators=[Optional()])
    ideas = TextAreaField(_l("Ideas to vote on, one per line"), validators=[Length(max=5000)])


class RetroNoteForm(Form):
    kind = SelectField(_l("Kind"), choices=lambda: options(RETRO_LABELS.items()), default="well")
    text = StringField(_l("Note"), validators=[DataRequired(), Length(max=500)])
    language = language_field()
