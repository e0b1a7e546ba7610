from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..i18n import LANGUAGES
from ..models.toolbox import METHOD_LOCALES, PHASES
from . import options
from .base import Form

PHASE_LABELS = {
    "kickoff": _l("Kick-off"),
    "match": _l("Match"),
    "sprint": _l("Sprint"),
    "succeed": _l("Succeed"),
    "any": _l("Any phase"),
}
DURATIONS = {  # filter value -> (min, max) minutes
    "30": (0, 30),
    "60": (31, 60),
    "120": (61, 120),
    "long": (121, 100000),
}
DURATION_LABELS = {
    "30": _l("up to 30 minutes"),
    "60": _l("31–60 minutes"),
    "120": _l("1–2 hours"),
    "long": _l("more than 2 hours"),
}


class TranslationForm(Form):
    class Meta:
        csrf = False  # a sub-form; the parent form carries the token

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=2000)])
    materials = TextAreaField(_l("Materials"), validators=[Optional(), Length(max=2000)])
    steps = TextAreaField(
        _l("Steps"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown: numbered lists, **bold**, links."),
    )


class MethodForm(Form):
    slug = StringField(
        _l("Short name in links"),
        validators=[
            Optional(),
            Length(max=80),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Lower-case letters, digits and dashes.")),
        ],
        description=_l("Leave empty to derive it from the English title."),
    )
    phase = SelectField(_l("Phase"), choices=options((p, PHASE_LABELS[p]) for p in PHASES))
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), default=60, validators=[InputRequired(), NumberRange(5, 10000)]
    )
    group_min = IntegerField(
        _l("Smallest group"), default=4, validators=[InputRequired(), NumberRange(1, 10000)]
    )
    group_max = IntegerField(
        _l("Largest group"), default=30, validators=[InputRequired(), NumberRange(1, 10000)]
    )
    licence = StringField(_l("Licence"), default="CC BY-SA 4.0", validators=[DataRequired(), Length(max=100)])
    author = StringField(_l("Author"), validators=[Optional(), Length(max=200)])
    original_language = SelectField(
        _l("Original language"), choices=options((loc, LANGUAGES[loc]) for loc in METHOD_LOCALES)
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and self.group_min.data > self.group_max.data:
            self.group_max.errors.append(_l("The largest group cannot be smaller than the smallest."))
            ok = False
        texts = self.texts()
        if ok and self.original_language.data not in texts:
            self.form_errors.append(_l("Give at least a title and steps in the original language."))
            ok = False
        for loc in METHOD_LOCALES:
            sub = getattr(self, f"text_{loc}")
            if (sub.purpose.data or sub.steps.data or sub.materials.data) and not sub.title.data:
                sub.title.errors.append(_l("A translation needs a title."))
                ok = False
        return ok

    def texts(self) -> dict[str, dict]:
        """The filled-in translations, by locale."""
        result = {}
        for loc in METHOD_LOCALES:
            sub = getattr(self, f"text_{loc}")
            if (sub.title.data or "").strip() and (sub.steps.data or "").strip():
                result[loc] = {
                    k: (getattr(sub, k).data or "").strip()
                    for k in ("title", "purpose", "materials", "steps")
                }
        return result


for _loc in METHOD_LOCALES:
    setattr(MethodForm, f"text_{_loc}", FormField(TranslationForm, label=LANGUAGES[_loc]))


class ToolboxFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    phase = SelectField(
        _l("Phase"),
        validators=[Optional()],
        choices=options([("", _l("Any")), *((p, PHASE_LABELS[p]) for p in PHASES)]),
    )
    duration = SelectField(
        _l("Duration"), validators=[Optional()], choices=options([("", _l("Any")), *DURATION_LABELS.items()])
    )
    group = IntegerField(
        _l("Group size"), validators=[Optional(), NumberRange(1, 10000)], description=_l("Number of people")
    )
    language = SelectField(
        _l("Language"),
        validators=[Optional()],
        choices=options([("", _l("Any")), *((loc, LANGUAGES[loc]) for loc in METHOD_LOCALES)]),
    )


class DeclineForm(Form):
    """Programme staff decline a method proposal: the note tells the proposer why."""

    note = TextAreaField(
        _l("Note to the proposer"),
        validators=[
            DataRequired(message=_l("Tell the proposer why: a note is needed to decline.")),
            Length(max=2000),
        ],
    )


class ImportForm(Form):
    """A toolbox export (JSON or the Markdown zip) to import back."""

    file = FileField(
        _l("Toolbox export (JSON or Markdown zip)"),
        validators=[FileRequired(message=_l("Choose a file to import."))],
    )
