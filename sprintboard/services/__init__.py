"""The rules and all writes. Services flush, never commit: the view commits once."""


class DomainError(Exception):
    """A rule was broken; `message` is translated and shown to the user."""

    status = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    """The user's role allows the action in general, but not on this object (403)."""

    status = 403
