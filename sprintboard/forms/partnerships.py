from flask_babel import lazy_gettext as _l
from wtforms import EmailField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..i18n import LANGUAGES
from ..models import ROLES
from . import options
from .base import Form

_COUNTRY = Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, e.g. DE or UA."))

ROLE_LABELS = {
    "observer": _l("Observer"),
    "member": _l("Member"),
    "facilitator": _l("Facilitator"),
}


def role_choices():
    return options((role, ROLE_LABELS[role]) for role in reversed(ROLES))


class CityForm(Form):
    class Meta:
        csrf = False  # a sub-form; the parent form carries the token

    name = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    country = StringField(
        _l("Country code"),
        validators=[Optional(), _COUNTRY],
        description=_l("ISO code, e.g. BY, DE, RU, UA"),
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.name.data and not self.country.data:
            self.country.errors.append(_l("Give the city's country."))
            return False
        return ok


class PartnershipForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    cities = FieldList(FormField(CityForm), min_entries=3, max_entries=8)


class PartnershipEditForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    timezone = SelectField(
        _l("Time zone of its events"),
        description=_l(
            "Workshop times and the midnight a due date ends are in this zone; "
            "each person sees moments such as a timebox's end on their own clock."
        ),
    )  # (no `required`: a select always sends one of its zones, and others fail validate_choice)

    def __init__(self, *args, **kwargs):
        from ..timezones import label, names

        super().__init__(*args, **kwargs)
        self.timezone.choices = options((name, label(name)) for name in names())


class AddCityForm(Form):
    name = StringField(_l("City"), validators=[DataRequired(), Length(max=120)])
    country = StringField(
        _l("Country code"),
        validators=[DataRequired(), _COUNTRY],
    )


class InviteForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=role_choices, default="member")
    city = SelectField(_l("Home city"), coerce=int)
    language = SelectField(
        _l("Language of the invitation email"),
        choices=lambda: options(LANGUAGES.items()),
        validators=[Optional()],
    )


class MemberForm(Form):
    role = SelectField(_l("Role"), choices=role_choices)
    city = SelectField(_l("Home city"), coerce=int)
