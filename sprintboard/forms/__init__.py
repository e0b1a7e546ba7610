"""WTForms classes per area."""

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields.choices import SelectChoice


def options(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class QuickSelect(widgets.Select):
    """WTForms' <select>, the same HTML, made in one pass: WTForms makes an object, inspects a
    signature and sorts attributes for every option, and the board's filters list everyone
    in the partnership. Choices with their own attributes or groups go the long way."""

    def __call__(self, field, **kwargs):
        choices = field.choices or []
        if self.multiple or not isinstance(choices, list) or field.has_groups():
            return super().__call__(field, **kwargs)
        if any(not isinstance(c, SelectChoice) or c.render_kw for c in choices):
            return super().__call__(field, **kwargs)
        head = self._head(field, kwargs)
        coerce, data = field.coerce, field.data
        html = [head]
        for choice in choices:
            value = str(choice.value) if isinstance(choice.value, bool) else choice.value
            selected = "selected " if coerce(choice.value) == data else ""
            label = choice.label or choice.value
            html.append(f'<option {selected}value="{escape(value)}">{escape(label)}</option>')
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 - every value escaped

    def _head(self, field, kwargs) -> str:
        """The <select> tag itself as WTForms makes it (only the options are made here), made
        once per field and attributes: WTForms looks through the field's flags and sorts and
        escapes its attributes on every call (a board's filters: 3 of their 6 ms)."""
        key = (field.id, field.name, repr(sorted(kwargs.items())), repr(sorted(vars(field.flags).items())))
        head = _HEADS.get(key)
        if head is None:
            if len(_HEADS) >= _HEADS_KEPT:
                _HEADS.clear()
            head = _HEADS[key] = super().__call__(_NoChoices(field), **kwargs)[: -len("</select>")]
        return head


_HEADS: dict[tuple, str] = {}
_HEADS_KEPT = 1024  # (fields of every form, with or without an error: a few dozen in practice)


class _NoChoices:
    """A field as the widget sees it, without its options (for the <select> tag alone)."""

    def __init__(self, field):
        self._field = field

    def __getattr__(self, name):
        return getattr(self._field, name)

    def has_groups(self):
        return False

    def _iter_choices_normalized(self):
        return iter(())
