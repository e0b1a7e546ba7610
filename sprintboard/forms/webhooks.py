"""The form of a partnership's webhook: where to POST, and which events."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired, Length

from ..services.webhooks import URL_MAX
from . import options
from .base import Form
from .cards import CheckboxesField

EVENT_LABELS = {
    "card.created": _l("A card is created"),
    "card.updated": _l("A card is changed"),
    "card.moved": _l("A card is moved"),
    "card.archived": _l("A card is archived"),
    "comment.added": _l("A comment is added"),
    "sprint.started": _l("A sprint starts"),
    "sprint.closed": _l("A sprint is closed"),
    "funding.changed": _l("A funding idea changes"),
    "workshop.changed": _l("A workshop changes"),
}


class WebhookForm(Form):
    url = StringField(
        _l("Payload URL"),
        validators=[DataRequired(), Length(max=URL_MAX)],
        description=_l(
            "An http:// or https:// address on the internet; each change is POSTed there as JSON."
        ),
        render_kw={"type": "url", "inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    events = CheckboxesField(
        _l("Events"),
        choices=options(EVENT_LABELS.items()),
    )

    def validate_events(self, field):
        # (not DataRequired: it would mark every checkbox `required`)
        if not field.data:
            raise ValidationError(_l("Choose at least one kind of event."))
