"""Forms of imports: a CSV file of cards or actors, a Trello board's JSON export."""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField
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


class TrelloUploadForm(Form):
    file = FileField(
        _l("Trello export (JSON)"),
        validators=[FileRequired()],
        id="trello-file",  # the CSV form's field on the same page is "file"
        description=_l("In Trello: board menu → Print, export and share → Export as JSON."),
    )


class TrelloConfirmForm(Form):
    """The preview's form: where each open list goes (fields map_0 … added per board)."""

    key = HiddenField(validators=[DataRequired()])
    refresh = SubmitField(_l("Update the preview"))
    submit = SubmitField(_l("Import the board"))

    def mapping(self, lists: list[dict]) -> dict[str, str]:
        """Trello list id → the chosen column id, or "new"."""
        return {entry["id"]: self[f"map_{i}"].data for i, entry in enumerate(lists)}


def trello_confirm_form(lists: list[dict], columns, **kwargs) -> TrelloConfirmForm:
    """The confirm form of a preview whose open lists are `lists`, offering `columns`."""
    from ..services.imports_trello import NEW

    class Form_(TrelloConfirmForm):
        pass

    for i, entry in enumerate(lists):
        choices = [
            (NEW, _l("New column “%(name)s”", name=entry["name"][:60])),
            *((str(column.id), column.name) for column in columns),
        ]
        default = str(entry["column"].id) if entry["column"] is not None else NEW
        hint = ngettext("%(num)d card in Trello", "%(num)d cards in Trello", entry["cards"])
        field = SelectField(entry["name"], choices=options(choices), default=default, description=hint)
        setattr(Form_, f"map_{i}", field)
    return Form_(**kwargs)
