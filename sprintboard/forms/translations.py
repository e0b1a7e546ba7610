from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from .base import Form


class TranslationForm(Form):
    """A person's translation, field by field (the service says which fields the text has)."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=20_000)])
