"""The JSON API's request and response schemas (marshmallow): flask-smorest validates requests
with them and writes them into the OpenAPI document."""

from datetime import UTC

from marshmallow import Schema, fields, validate

from ..i18n import LANGUAGES
from ..models import FUNDING_STATUSES, SPRINT_STATES


class UtcDateTime(fields.DateTime):
    """Timestamps are stored as naive UTC: the API says so (RFC 3339, with the offset)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Out(Schema):
    """Response schemas: what the API answers."""


class ProblemSchema(Out):
    """An error, as RFC 9457 describes it (`errors`: what was wrong with which field)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict()
    request_id = fields.String(metadata={"description": "Quote it when reporting a problem."})


class CitySchema(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    country = fields.String(required=True)


class PartnershipSchema(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    status = fields.String(required=True)
    cities = fields.List(fields.Nested(CitySchema), required=True)


class ProjectSchema(Out):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    status = fields.String(required=True)
    lead_city_id = fields.Integer(required=True, allow_none=True)
    language = fields.String(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)


class ColumnSchema(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    position = fields.Integer(required=True)
    wip_limit = fields.Integer(required=True, allow_none=True)
    is_done = fields.Boolean(required=True)


class LabelSchema(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    colour = fields.String(required=True)


class PersonSchema(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ChecklistItemSchema(Out):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    done = fields.Boolean(required=True)


class CardSchema(Out):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    language = fields.String(required=True, allow_none=True)
    column_id = fields.Integer(required=True)
    project_id = fields.Integer(required=True, allow_none=True)
    sprint_id = fields.Integer(required=True, allow_none=True)
    estimate = fields.Integer(required=True, allow_none=True)
    due_date = fields.Date(required=True, allow_none=True)
    position = fields.Integer(required=True)
    version = fields.Integer(required=True)
    labels = fields.List(fields.Nested(LabelSchema), required=True)
    assignees = fields.List(fields.Nested(PersonSchema), required=True)
    checklist = fields.List(fields.Nested(ChecklistItemSchema), required=True)
    comment_count = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    done_at = UtcDateTime(required=True, allow_none=True)
    archived_at = UtcDateTime(required=True, allow_none=True)


class CardPageSchema(Out):
    items = fields.List(fields.Nested(CardSchema), required=True)
    next_cursor = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Pass as `cursor` for the next page."}
    )


class CommentSchema(Out):
    id = fields.Integer(required=True)
    author = fields.Nested(PersonSchema, required=True, allow_none=True)
    body = fields.String(required=True)
    language = fields.String(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    edited_at = UtcDateTime(required=True, allow_none=True)


class SprintSchema(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    goal = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    state = fields.String(required=True, validate=validate.OneOf(SPRINT_STATES))


class FundingIdeaSchema(Out):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    funder = fields.String(required=True)
    programme = fields.String(required=True)
    url = fields.String(required=True)
    amount = fields.Decimal(required=True, allow_none=True, as_string=True)
    currency = fields.String(required=True)
    deadline = fields.Date(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(FUNDING_STATUSES))
    next_step = fields.String(required=True)
    project_ids = fields.List(fields.Integer(), required=True)


class WorkshopSchema(Out):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    host_city_id = fields.Integer(required=True, allow_none=True)
    start_date = fields.Date(required=True, allow_none=True)
    end_date = fields.Date(required=True, allow_none=True)
    venue = fields.String(required=True)
    status = fields.String(required=True)


class ProjectFiguresSchema(Out):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    cards = fields.Integer(required=True)
    cards_done = fields.Integer(required=True)
    points = fields.Integer(required=True)
    points_done = fields.Integer(required=True)
    percent = fields.Integer(required=True)


class StatusSchema(Out):
    projects = fields.List(fields.Nested(ProjectFiguresSchema), required=True)
    active_sprint = fields.Nested(SprintSchema, required=True, allow_none=True)
    cards_open = fields.Integer(required=True)
    cards_done = fields.Integer(required=True)


# Requests ----------------------------------------------------------------------------------


class CardQuerySchema(Schema):
    """Filters and the cursor of the card list."""

    column = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    project = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    sprint = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    archived = fields.Boolean(load_default=False)
    cursor = fields.Integer(validate=validate.Range(min=0, max=2**31 - 1), load_default=0)
    limit = fields.Integer(validate=validate.Range(min=1, max=200), load_default=50)


ID = {"validate": validate.Range(min=1, max=2**31 - 1)}
# Text holds no NUL character (PostgreSQL's text cannot), and a title or a comment is more than
# white space (the services refuse blank ones). The patterns are published in the API's
# document, where JSON Schema reads them as JavaScript does: there \s lacks what Python counts
# as white space (\x1c-\x1f, \x85) and holds \ufeff, which Python's lacks. Naming those too
# makes them the same text in both. (One pattern per field: the document holds only one.)
NO_NUL = validate.Regexp(r"^[^\x00]*$")
SOME_TEXT = validate.Regexp(r"^(?![\s\S]*\x00)[\s\S]*[^\s\x1c-\x1f\x85\ufeff]")
LANGUAGE = validate.OneOf(sorted(LANGUAGES))


class CardCreateSchema(Schema):
    title = fields.String(required=True, validate=[validate.Length(min=1, max=200), SOME_TEXT])
    body = fields.String(load_default="", validate=[validate.Length(max=20_000), NO_NUL])
    column_id = fields.Integer(metadata={"description": "Default: the first column."}, **ID)
    project_id = fields.Integer(allow_none=True, **ID)


class CardUpdateSchema(Schema):
    """Only the fields sent change; `version` is the version they were made on (409 if stale)."""

    version = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    title = fields.String(validate=[validate.Length(min=1, max=200), SOME_TEXT])
    body = fields.String(validate=[validate.Length(max=20_000), NO_NUL])
    project_id = fields.Integer(allow_none=True, **ID)
    estimate = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100))
    due_date = fields.Date(allow_none=True)
    language = fields.String(allow_none=True, validate=LANGUAGE)
    label_ids = fields.List(fields.Integer(**ID), validate=validate.Length(max=50))
    assignee_ids = fields.List(fields.Integer(**ID), validate=validate.Length(max=50))


class CardMoveSchema(Schema):
    column_id = fields.Integer(required=True, **ID)
    before_id = fields.Integer(metadata={"description": "Place it just above this card."}, **ID)
    after_id = fields.Integer(metadata={"description": "Place it just below this card."}, **ID)


class CommentCreateSchema(Schema):
    body = fields.String(required=True, validate=[validate.Length(min=1, max=5000), SOME_TEXT])
    language = fields.String(allow_none=True, validate=LANGUAGE)
