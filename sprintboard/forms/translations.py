from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from .base import Form

FIELD_LABELS = {
    "title": _l("Title"),
    "body": _l("Text"),
    "summary": _l("Summary"),
    "next_step": _l("Next step"),
    "goal": _l("Goal"),
    "outcomes": _l("Outcomes"),
    "notes": _l("Notes"),
    "description": _l("Description"),
    "text": _l("Text"),
    "name": _l("Name"),
}
ONE_LINE = {"title", "next_step", "name"}


def translation_form(fields: dict[str, int], **kwargs) -> Form:
    """A person's translation of the fields {name: max length} of one kind of content (which of
    them must be filled in is the service's rule: those the original has)."""

    class TranslationForm(Form):
        pass

    for name, limit in fields.items():
        kind = StringField if name in ONE_LINE else TextAreaField
        setattr(TranslationForm, name, kind(FIELD_LABELS[name], validators=[Optional(), Length(max=limit)]))
    return TranslationForm(**kwargs)
