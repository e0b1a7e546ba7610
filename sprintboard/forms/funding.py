from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..models import CURRENCIES, FUNDING_STATUSES
from ..services import DomainError
from ..services.funding import STATUS_LABELS, check_currency, parse_amount
from . import options
from .base import Form
from .projects import language_choices


def status_choices():
    return options((s, STATUS_LABELS[s]) for s in FUNDING_STATUSES)


def _amount(_form, field):
    try:
        field.parsed = parse_amount(field.data)
    except DomainError as error:
        raise ValidationError(error.message) from None


def _currency(_form, field):
    try:
        check_currency(field.data)
    except DomainError as error:
        raise ValidationError(error.message) from None


class FundingIdeaForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    funder = StringField(
        _l("Funder"), validators=[Length(max=200)], description=_l("The organisation that gives the money")
    )
    programme = StringField(_l("Programme"), validators=[Length(max=200)])
    url = URLField(_l("Link"), validators=[Optional(), Length(max=500)])
    amount = StringField(
        _l("Amount requested"), validators=[_amount], description=_l("Exact amount, e.g. 25000.00")
    )
    cofunding = StringField(_l("Co-funding"), validators=[_amount])
    currency = SelectField(
        _l("Currency"),
        default="EUR",
        validators=[_currency],
        choices=lambda: options((c, c) for c in CURRENCIES),
        validate_choice=False,
    )
    deadline = DateField(
        _l("Deadline"),
        validators=[Optional()],
        invalid_value_message=_l("Enter the deadline as a date (YYYY-MM-DD)."),
    )
    status = SelectField(_l("Status"), choices=status_choices, default="idea")
    owner = SelectField(_l("Owner"), coerce=int, default=0)
    projects = SelectMultipleField(_l("Projects"), coerce=int)
    next_step = StringField(_l("Next step"), validators=[Length(max=300)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=10000)])
    # (an idea whose language is not known has none to choose: the service checks the value)
    language = SelectField(
        _l("Original language"), choices=language_choices, default="", validate_choice=False
    )

    def validate_url(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("A link must start with http:// or https://."))


class MoveFundingForm(Form):
    status = SelectField(_l("Move to"), choices=status_choices)
