"""The search form: a GET form (the search lives in the URL: shareable, back button)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..models import SEARCH_KINDS
from . import options
from .base import Form
from .board import _optional_int

KIND_LABELS = {
    "card": _l("Cards"),
    "comment": _l("Comments"),
    "project": _l("Projects"),
    "workshop": _l("Workshops"),
    "actor": _l("Actors"),
    "entry": _l("Interests, needs and ideas"),
    "funding": _l("Funding ideas"),
    "method": _l("Toolbox methods"),
}


class SearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search for"), validators=[Optional(), Length(max=200)])
    p = SelectField(_l("Partnership"), coerce=_optional_int)
    kind = SelectField(
        _l("Kind"),
        choices=options([("", _l("Everything"))] + [(k, KIND_LABELS[k]) for k in SEARCH_KINDS]),
        default="",
    )
    city = SelectField(_l("City"), coerce=_optional_int)
    since = DateField(_l("Changed since"), validators=[Optional()])
    until = DateField(_l("Changed until"), validators=[Optional()])

    def set_choices(self, partnerships, cities) -> None:
        from flask_babel import gettext as _

        self.p.choices = options([("", _("All my partnerships"))] + [(p.id, p.name) for p in partnerships])
        cities = [(c.id, f"{c.name} ({c.partnership.name})") for c in cities]
        self.city.choices = options([("", _("All cities"))] + cities)

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.since.data and self.until.data and self.until.data < self.since.data:
            from flask_babel import gettext as _

            self.until.errors.append(_("The end cannot be before the start."))
            return False
        return True
