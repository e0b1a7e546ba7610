from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..i18n import LANGUAGES
from ..models import PROJECT_STATUSES
from ..services.projects import SUMMARY_MAX, TITLE_MAX
from . import options
from .base import Form

STATUS_LABELS = {
    "idea": _l("Idea"),
    "active": _l("Active"),
    "paused": _l("Paused"),
    "complete": _l("Complete"),
}


def status_choices():
    return options((status, STATUS_LABELS[status]) for status in PROJECT_STATUSES)


def language_choices():
    return options([("", _l("Not set")), *LANGUAGES.items()])


def language_field(**kwargs):
    """The original language of a text (the services check the code: an unknown one is a
    translated 422); "" in a new text's form is its author's UI language."""
    return SelectField(
        _l("Original language"), choices=language_choices, default="", validate_choice=False, **kwargs
    )


def chosen_language(field) -> dict:
    """The service's `language` argument when the form sent one: a post without the field (an
    older page, a script) leaves the language as it is."""
    return {"language": field.data or None} if field.raw_data else {}


def _none_if_empty(value):
    return int(value) if value not in (None, "", "None") else None


class ProjectForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=SUMMARY_MAX)])
    lead_city = SelectField(_l("Lead city"), coerce=_none_if_empty)
    status = SelectField(_l("Status"), choices=status_choices, default="active")
    language = SelectField(_l("Original language"), choices=language_choices, default="")

    def set_cities(self, partnership):
        self.lead_city.choices = options(
            [("", _l("None yet")), *((city.id, city.name) for city in partnership.cities)]
        )
