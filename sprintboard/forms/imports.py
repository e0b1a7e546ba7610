"""Forms of imports: a CSV file of cards or actors, a Trello board's JSON export."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import AnyOf, DataRequired

from . import options
from .base import Form

CSV_KINDS = {"cards": _l("Cards"), "actors": _l("Actors")}


class CsvUploadForm(Form):
    kind = SelectField(_l("The file holds"), choices=options(CSV_KINDS.items()), default="cards")
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired()],
        description=_l("From Excel or LibreOffice: comma or semicolon separated, any common encoding."),
    )


class CsvConfirmForm(Form):
    kind = HiddenField(validators=[AnyOf(tuple(CSV_KINDS))])
    key = HiddenField(validators=[DataRequired()])
