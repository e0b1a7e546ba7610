"""WTForms classes per area."""

from wtforms.fields.choices import SelectChoice


def options(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]
