"""Forms of the actor map and the match page. Choices are filled in by the views."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import LANGUAGES
from ..models.actor import ACTOR_KINDS
from ..models.entry import ENTRY_KINDS
from ..services.actors import KIND_LABELS
from ..services.entries import ENTRY_KIND_LABELS, TEXT_MAX
from ..services.voting import VOTES_MAX
from . import options
from .base import Form
from .projects import chosen_language, language_field

_RANGE = NumberRange(min=1, max=5, message=_l("Choose a value from 1 to 5."))


class ThemeChecks(SelectMultipleField):
    """Themes as a list of checkboxes; unknown ids are rejected by the service, with a message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


def kind_choices():
    return options((k, KIND_LABELS[k]) for k in ACTOR_KINDS)


def entry_kind_choices():
    return options((k, ENTRY_KIND_LABELS[k]) for k in ENTRY_KINDS)


class ActorForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    city = SelectField(_l("City"), coerce=int)
    kind = SelectField(_l("Kind"), choices=kind_choices)
    themes = ThemeChecks(_l("Themes"))
    description = TextAreaField(_l("Short description"), validators=[Length(max=2000)])
    language = language_field()
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=500)],
        description=_l("An http:// or https:// address."),
    )
    interest = IntegerField(_l("Interest (1–5)"), default=3, validators=[InputRequired(), _RANGE])
    influence = IntegerField(_l("Influence (1–5)"), default=3, validators=[InputRequired(), _RANGE])
    consent = BooleanField(_l("Consent to store contact details is recorded"))
    contact_person = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = StringField(_l("Contact email"), validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=60)])
    allow_duplicate = BooleanField(_l("Add it anyway: it is a different actor"))
    add_to = IntegerField(validators=[Optional()])  # the existing actor to add these details to

    def values(self, themes) -> dict:
        """The service's keyword arguments."""
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "themes": themes,
            "description": self.description.data or "",
            "website": self.website.data or "",
            "interest": self.interest.data,
            "influence": self.influence.data,
            "consent": self.consent.data,
            "contact_person": self.contact_person.data,
            "contact_email": self.contact_email.data,
            "contact_phone": self.contact_phone.data,
            **chosen_language(self.language),
        }


class ActorFilterForm(Form):
    class Meta:
        csrf = False  # a GET form

    city = SelectField(_l("City"), coerce=str, validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    theme = SelectField(_l("Theme"), coerce=str, validators=[Optional()])


class MergeForm(Form):
    other = SelectField(_l("Merge this duplicate into it"), coerce=int)


class LinkForm(Form):
    project = SelectField(_l("Project"), coerce=int, validate_choice=False, validators=[Optional()])
    card = SelectField(_l("Card"), coerce=int, validate_choice=False, validators=[Optional()])


class EntryForm(Form):
    city = SelectField(_l("City"), coerce=int)
    kind = SelectField(_l("Kind"), choices=entry_kind_choices)
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=TEXT_MAX)])
    themes = ThemeChecks(_l("Themes"))
    language = language_field()


class ThemeForm(Form):
    """One name field per language; at least one is needed (checked by the service)."""


for _code, _language in LANGUAGES.items():
    setattr(ThemeForm, f"name_{_code}", StringField(_language, validators=[Optional(), Length(max=60)]))


class MatchForm(Form):
    entries = SelectMultipleField(_l("Entries"), coerce=int, validate_choice=False)
    theme = HiddenField()


class MatchProjectsForm(Form):
    """The dot vote's result: the ticked matches become projects in one step."""

    matches = SelectMultipleField(_l("Matches"), coerce=int, validate_choice=False)


class DotVoteForm(Form):
    MAX = VOTES_MAX

    votes_per_person = IntegerField(
        _l("Votes per person"), default=3, validators=[InputRequired(), NumberRange(min=1, max=MAX)]
    )
