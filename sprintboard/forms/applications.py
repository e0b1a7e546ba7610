from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from ..i18n import LANGUAGES
from ..models.applications import DEFAULT_COUNTRIES, STATUSES
from ..services.applications import ANSWER_MAX
from . import options
from .base import Form
from .partnerships import role_choices

TIMEZONES = (
    "Europe/Berlin",
    "Europe/Kyiv",
    "Europe/Minsk",
    "Europe/Moscow",
    "Europe/Warsaw",
    "Europe/Vilnius",
    "Europe/London",
    "UTC",
)
STATUS_LABELS = {
    "received": _l("received"),
    "shortlisted": _l("shortlisted"),
    "selected": _l("selected"),
    "declined": _l("declined"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CallForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10000)])
    countries = StringField(
        _l("Eligible countries"),
        default=", ".join(DEFAULT_COUNTRIES),
        validators=[
            DataRequired(),
            Regexp(
                r"^\s*[A-Za-z]{2}(\s*,\s*[A-Za-z]{2})*\s*$",
                message=_l("Two-letter codes separated by commas."),
            ),
        ],
        description=_l("ISO codes separated by commas, e.g. BY, DE, RU, UA"),
    )
    deadline = DateTimeLocalField(
        _l("Deadline"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired()],
        description=_l("Date and time in the time zone below."),
    )
    timezone = SelectField(
        _l("Time zone"), choices=options((z, z) for z in TIMEZONES), default="Europe/Berlin"
    )
    languages = MultiCheckboxField(
        _l("Languages"),
        choices=options(LANGUAGES.items()),
        default=["en", "de", "ru"],
        validators=[DataRequired(message=_l("Choose at least one language."))],
    )

    @property
    def country_list(self) -> list[str]:
        return [c.strip().upper() for c in (self.countries.data or "").split(",") if c.strip()]


def _text(label, required=True, max_length=ANSWER_MAX, **kw):
    checks = [DataRequired()] if required else [Optional()]
    return TextAreaField(label, validators=[*checks, Length(max=max_length)], **kw)


def _line(label, required=True, max_length=200, **kw):
    checks = [DataRequired()] if required else [Optional()]
    return StringField(label, validators=[*checks, Length(max=max_length)], **kw)


class ApplicationForm(Form):
    """The public application form; `eligible` (country codes) is set by the view."""

    eligible: list[str] = []

    applicant_city = _line(_l("Your city"), max_length=120)
    applicant_country = SelectField(_l("Country of your city"), validate_choice=False)
    partner_city = _line(_l("Partner city"), max_length=120)
    partner_country = SelectField(_l("Country of the partner city"), validate_choice=False)
    institution = _line(_l("Institution, organisation or initiative"), max_length=300)
    contact_person = _line(_l("Contact person"))
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = _line(_l("Phone"), required=False, max_length=60, description=_l("Optional."))
    social = _line(
        _l("Social media"), required=False, max_length=300, description=_l("Profile or page links, optional.")
    )
    partner_contact_person = _line(
        _l("Contact person in the partner city"), required=False, description=_l("Optional.")
    )
    partner_email = EmailField(
        _l("Email of the partner city's contact person"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("Optional; if you are selected, they are invited too."),
    )
    answer_who = _text(_l("1. Who are you? Introduce both cities and your institution."))
    answer_hopes = _text(_l("2. What are your hopes, expectations and wishes for the partnership?"))
    answer_motivation = _text(_l("3. What motivates you to take part?"))
    answer_other = _text(
        _l("4. Anything else you would like to tell us?"), required=False, description=_l("Optional.")
    )
    self_declaration = BooleanField(
        _l(
            "We declare that this application is supported by the officials responsible for city "
            "partnerships, the city administration or the local authorities."
        ),
        validators=[DataRequired(message=_l("This declaration is required."))],
    )
    # A honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    def _country(self, field):
        if (field.data or "").upper() not in self.eligible:
            raise ValidationError(_l("Cities from this country are not eligible in this call."))

    validate_applicant_country = _country
    validate_partner_country = _country


class FilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=False)


class StatusForm(Form):
    status = SelectField(
        _l("Status"), choices=options((s, STATUS_LABELS[s]) for s in STATUSES if s != "selected")
    )


class NotesForm(Form):
    notes = TextAreaField(_l("Notes"), validators=[Length(max=20000)])


class CriterionForm(Form):
    name = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=200)])
    weight = IntegerField(_l("Weight"), default=1, validators=[InputRequired(), NumberRange(1, 10)])


def score_form(criteria, review=None, formdata=None):
    """A reviewer's form: one 0–5 score field per criterion (`score_<id>`) and a note."""

    class ScoreForm(Form):
        note = TextAreaField(
            _l("Your note"),
            validators=[Length(max=5000)],
            description=_l("Optional; the other reviewers see it once they have scored too."),
        )

    for c in criteria:
        setattr(
            ScoreForm,
            f"score_{c.id}",
            IntegerField(
                c.name,
                validators=[Optional(), NumberRange(0, 5)],
                render_kw={"min": 0, "max": 5, "inputmode": "numeric"},
            ),
        )
    data = {f"score_{c.id}": review.score_for(c) for c in criteria} if review else {}
    if review:
        data["note"] = review.note
    form = ScoreForm(formdata=formdata, data=data) if formdata is not None else ScoreForm(data=data)
    return form


class SelectForm(Form):
    """At selection: each contact person's role and home city (0: the applicant city, 1: the partner's)."""

    applicant_role = SelectField(_l("Role"), choices=role_choices, default="member")
    applicant_city = SelectField(_l("Home city"), coerce=int, default=0)
    partner_role = SelectField(_l("Role"), choices=role_choices, default="member")
    partner_city = SelectField(_l("Home city"), coerce=int, default=1)


def select_form(application) -> SelectForm:
    """The selection form of `application`, its city choices named after the two cities."""
    form = SelectForm()
    cities = options([(0, application.applicant_city), (1, application.partner_city)])
    form.applicant_city.choices = form.partner_city.choices = cities
    return form
