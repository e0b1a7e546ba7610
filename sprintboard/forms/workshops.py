from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from . import options
from .base import Form
from .projects import language_field

KIND_LABELS = {
    "kickoff": _l("Kick-off"),
    "match_sprint": _l("Match & Sprint"),
    "sprint_succeed": _l("Sprint & Succeed"),
    "custom": _l("Workshop"),
    "online": _l("Online meeting"),
}


def _end_not_before_start(form):
    if form.start_date.data and form.end_date.data and form.end_date.data < form.start_date.data:
        form.end_date.errors.append(_l("The end cannot be before the start."))
        return False
    one_day = not form.end_date.data or form.end_date.data == form.start_date.data
    start, end = form.start_time.data, form.end_time.data
    if one_day and start and end and end <= start:
        form.end_time.errors.append(_l("The end cannot be before the start."))
        return False
    return True


def city_choices(partnership):
    return options([("", _l("Joint / online"))] + [(str(c.id), c.name) for c in partnership.cities])


class WorkshopForm(Form):
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty for the standard name."),
    )
    host_city = SelectField(_l("Host city"))
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    # Wall-clock times in the partnership's time zone (its settings); type="time" may send seconds.
    start_time = TimeField(_l("Starts at"), validators=[Optional()], format=["%H:%M", "%H:%M:%S"])
    end_time = TimeField(_l("Ends at"), validators=[Optional()], format=["%H:%M", "%H:%M:%S"])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=300)])

    def validate(self, extra_validators=None):
        return super().validate(extra_validators) and _end_not_before_start(self)


class NewWorkshopForm(WorkshopForm):
    kind = SelectField(
        _l("Kind"),
        choices=lambda: options((k, KIND_LABELS[k]) for k in ("custom", "online")),
        default="custom",
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])


class OutcomesForm(Form):
    # Ids of their own: the workshop page also has the section #outcomes and the details' #title.
    outcomes = TextAreaField(
        _l("Outcomes"),
        validators=[Length(max=20000)],
        id="outcomes-text",
        description=_l("Markdown: **bold**, lists, links."),
    )
    language = language_field(id="outcomes-language")


class AgendaItemForm(Form):
    # May stay empty when a method is picked: the item then takes the method's title.
    title = StringField(
        _l("Agenda item"),
        validators=[Length(max=200)],
        id="agenda-title",
        description=_l(
            "With a method from the toolbox it may stay empty: the item then takes the method's title."
        ),
    )
    duration = IntegerField(_l("Minutes"), validators=[Optional(), NumberRange(min=1, max=1440)])
    responsible = SelectField(_l("Responsible"))
    method = SelectField(_l("Method from the toolbox"), validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])
    language = language_field(id="agenda-language")


class LinkForm(Form):
    card = SelectField(_l("Card"), validators=[Optional()])
    project = SelectField(_l("Project"), validators=[Optional()])
