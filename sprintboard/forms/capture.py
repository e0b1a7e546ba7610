"""Forms of quick capture: one actor or entry at a time, or rows pasted from a spreadsheet."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..services.entries import TEXT_MAX
from .base import Form

PASTE_MAX = 200_000


class QuickCaptureForm(Form):
    text = StringField(_l("Name or text"), validators=[DataRequired(), Length(max=TEXT_MAX)])
    city = SelectField(_l("City"), coerce=int)
    kind = SelectField(_l("Kind"))  # grouped choices: services.capture.kind_choices


class PasteForm(Form):
    rows = TextAreaField(
        _l("Rows from a spreadsheet"),
        validators=[DataRequired(), Length(max=PASTE_MAX)],
        description=_l(
            "One row each: name or text, city, kind — separated by tabs (copied from Excel or "
            "LibreOffice) or commas. A first row naming the columns is optional; with one, the other "
            "columns of the CSV import (themes, website, contact …) are read too."
        ),
    )
