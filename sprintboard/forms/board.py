from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from . import QuickSelect, options
from .base import Form

GROUP_LABELS = (("project", _l("Project")), ("city", _l("City")), ("assignee", _l("Assignee")))
SPRINT_LABELS = (("", _l("Everything")), ("active", _l("Active sprint only")))
DENSITY_LABELS = (("comfortable", _l("Comfortable")), ("compact", _l("Compact")))
DUE_LABELS = (("", _l("Any time")), ("overdue", _l("Overdue")), ("week", _l("Due this week")))


def _optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


class FilterForm(Form):
    """The board's filters: a GET form, so they live in the URL (shareable, back button)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    group = SelectField(
        _l("Swimlanes"), choices=options(GROUP_LABELS), default="project", widget=QuickSelect()
    )
    project = SelectField(_l("Project"), coerce=_optional_int, validate_choice=True, widget=QuickSelect())
    label = SelectField(_l("Label"), coerce=_optional_int, widget=QuickSelect())
    assignee = SelectField(_l("Assignee"), coerce=_optional_int, widget=QuickSelect())
    city = SelectField(_l("City"), coerce=_optional_int, widget=QuickSelect())
    due = SelectField(_l("Due"), choices=options(DUE_LABELS), default="", widget=QuickSelect())
    sprint = SelectField(_l("Sprint"), choices=options(SPRINT_LABELS), default="", widget=QuickSelect())

    def set_choices(self, board_projects, board_labels, people, cities):
        anything = ("", _l("All"))
        self.project.choices = options(
            [anything, ("0", _l("No project"))] + [(str(p.id), p.title) for p in board_projects]
        )
        self.label.choices = options([anything] + [(str(lb.id), lb.name) for lb in board_labels])
        self.assignee.choices = options([anything] + [(str(uid), n) for uid, (n, _c) in people.items()])
        self.city.choices = options([anything] + [(str(city_id), name) for city_id, name in cities])


class QuickAddForm(Form):
    title = StringField(_l("New card"), validators=[DataRequired(), Length(max=200)])
    column = IntegerField(validators=[DataRequired()])
    project = IntegerField(validators=[Optional()])
    next = HiddenField()


class MoveForm(Form):
    column = IntegerField(_l("Column"), validators=[DataRequired()])
    before = IntegerField(_l("Before card"), validators=[Optional()])
    after = IntegerField(validators=[Optional()])
    override_wip = BooleanField(_l("Ignore the WIP limit"))
    next = HiddenField()


class ViewForm(Form):
    """Density and collapsed lanes of one person's board."""

    density = SelectField(_l("Density"), choices=options(DENSITY_LABELS), default="comfortable")
    collapsed = SelectMultipleField(_l("Collapsed lanes"), choices=[], validate_choice=False)
    next = HiddenField()


class FoldForm(Form):
    """One lane collapsed or expanded (sent by board.js when a lane is folded)."""

    lane = StringField(validators=[DataRequired(), Length(max=20)])
    collapsed = BooleanField()
    next = HiddenField()
