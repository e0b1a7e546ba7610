"""Forms of notifications: email settings, watching, mentions."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, SelectField
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional

from ..models import KINDS, MODES
from . import options
from .base import Form


class SettingsForm(Form):
    """One radio group per kind (added below) and the digest hour."""

    digest_hour = SelectField(
        _l("Daily digest at"),
        coerce=int,
        choices=options((h, f"{h:02d}:00") for h in range(24)),
        validators=[InputRequired()],
    )

    def modes(self) -> dict[str, str]:
        return {kind: getattr(self, f"mode_{kind}").data for kind in KINDS}


def _mode_field(kind):
    from ..services.notifications import KIND_LABELS, MODE_LABELS

    return RadioField(
        KIND_LABELS[kind],
        choices=options((mode, MODE_LABELS[mode]) for mode in MODES),
        validators=[InputRequired(), AnyOf(MODES)],
    )


for _kind in KINDS:
    setattr(SettingsForm, f"mode_{_kind}", _mode_field(_kind))


class WatchForm(Form):
    what = HiddenField(validators=[AnyOf(("board", "project", "card"))])
    target = IntegerField(validators=[Optional(), NumberRange(min=1)])
    on = HiddenField(validators=[AnyOf(("1", "0"))])
    page_card = IntegerField(validators=[Optional(), NumberRange(min=1)])  # the card page asking
    next = HiddenField()
