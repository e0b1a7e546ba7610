from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from .base import Form


class SprintForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    goal = TextAreaField(_l("Goal"), validators=[Length(max=2000)])
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date"), validators=[DataRequired()])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.start_date.data and self.end_date.data and self.end_date.data < self.start_date.data:
            self.end_date.errors.append(_l("A sprint cannot end before it starts."))
            return False
        return ok


class PullCardsForm(Form):
    cards = SelectMultipleField(
        _l("Cards from the backlog"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one card."))],
    )


class CloseSprintForm(Form):
    carry_to = SelectField(_l("Unfinished cards go to"), default="backlog")
