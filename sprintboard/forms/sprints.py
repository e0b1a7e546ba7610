from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .base import Form
from .projects import language_field


class SprintForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    goal = TextAreaField(_l("Goal"), validators=[Length(max=2000)])
    language = language_field()
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
    """Which unfinished cards go where: the backlog, a planned sprint, or a new one made here."""

    carry_to = SelectField(_l("Ticked cards go to"), default="backlog")
    cards = SelectMultipleField(_l("Unfinished cards"), coerce=int)
    # Present when the dialog showed the checkboxes: then unticked cards go back to the backlog
    # (without it, as from older pages, every unfinished card goes along).
    picking = HiddenField()
    new_name = StringField(_l("Name of the new sprint"), validators=[Optional(), Length(max=120)])
    new_goal = TextAreaField(_l("Goal of the new sprint"), validators=[Optional(), Length(max=2000)])
    new_start = DateField(_l("Start date"), validators=[Optional()])
    new_end = DateField(_l("End date"), validators=[Optional()])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.carry_to.data != "new":
            return ok
        for f in (self.new_name, self.new_start, self.new_end):
            if not f.data and not f.errors:
                f.errors.append(_l("Needed for the new sprint."))
                ok = False
        if self.new_start.data and self.new_end.data and self.new_end.data < self.new_start.data:
            self.new_end.errors.append(_l("A sprint cannot end before it starts."))
            ok = False
        return ok
