"""Files attached to cards, workshops and funding ideas: adding (within the limits and the
partnership's quota), deleting, listing, and removing stored files nobody refers to any more.

Stored files are removed only after the commit that dropped their last row (a rollback keeps
them), and only when no other attachment (of any partnership: equal files are stored once)
still refers to the same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event as sa_event

from .. import storage
from ..extensions import db
from ..models import Attachment, Card, FundingIdea, Partnership, Workshop
from . import DomainError, Forbidden
from .activity import describes, log
from .facilitation import ensure_not_frozen
from .uploads import Prepared, TooLarge, UploadRefused, human_size, prepare

OWNER_COLUMNS = {Card: "card_id", Workshop: "workshop_id", FundingIdea: "funding_idea_id"}
# kind -> (upload endpoint, its URL parameter naming the owner)
UPLOAD_ROUTES = {
    "card": ("attachments.upload_card", "card_id"),
    "workshop": ("attachments.upload_workshop", "wid"),
    "funding_idea": ("attachments.upload_funding", "fid"),
}
VERBS = {Card: "card", Workshop: "workshop", FundingIdea: "funding"}
PURGE = "attachments_purge"


class StorageUnavailable(DomainError):
    status = 503


@dataclass
class Limits:
    max_bytes: int
    quota: int
    max_pixels: int
    max_files: int
    allowed: frozenset[str]

    @classmethod
    def from_config(cls, config=None) -> Limits:
        config = config or current_app.config
        return cls(
            max_bytes=config["UPLOAD_MAX_BYTES"],
            quota=config["UPLOAD_QUOTA_BYTES"],
            max_pixels=config["UPLOAD_MAX_PIXELS"],
            max_files=config["UPLOAD_MAX_FILES"],
            allowed=frozenset(config["UPLOAD_ALLOWED_TYPES"]),
        )


@dataclass
class Panel:
    """What a page shows of one owner's attachments (templates/attachments/_panel.html)."""

    kind: str  # "card" | "workshop" | "funding_idea"
    owner: Card | Workshop | FundingIdea
    items: list[Attachment]
    may_upload: bool
    may_manage: bool  # facilitators delete anyone's files
    user_id: int | None
    usage: tuple[int, int] | None = None  # (bytes used, quota), shown to facilitators
    error: str | None = None
    max_bytes: int = 0

    @property
    def upload_endpoint(self) -> str:
        return UPLOAD_ROUTES[self.kind][0]

    @property
    def owner_arg(self) -> str:
        return UPLOAD_ROUTES[self.kind][1]

    @property
    def anchor(self) -> str:
        return f"attachments-{self.kind}-{self.owner.id}"

    @property
    def images(self) -> list[Attachment]:
        return [a for a in self.items if a.is_image]

    @property
    def documents(self) -> list[Attachment]:
        return [a for a in self.items if not a.is_image]

    def may_delete(self, attachment: Attachment) -> bool:
        mine = self.user_id is not None and attachment.uploader_id == self.user_id
        return self.may_upload and (self.may_manage or mine)


def _owner_column(owner):
    return getattr(Attachment, OWNER_COLUMNS[type(owner)])


def attachments_of(owner) -> list[Attachment]:
    return list(
        db.session.scalars(
            sa.select(Attachment)
            .where(_owner_column(owner) == owner.id)
            .options(sa.orm.selectinload(Attachment.uploader))
            .order_by(Attachment.id)
        )
    )


def used_bytes(partnership: Partnership) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Attachment.size), 0)).where(
            Attachment.partnership_id == partnership.id
        )
    )


def panel_kind(owner) -> str:
    return OWNER_COLUMNS[type(owner)].removesuffix("_id")


def panel(owner, *, may_upload: bool, may_manage: bool, user_id: int | None, error=None) -> Panel:
    kind = panel_kind(owner)
    limits = Limits.from_config()
    usage = (used_bytes(owner.partnership), limits.quota) if may_manage else None
    return Panel(
        kind, owner, attachments_of(owner), may_upload, may_manage, user_id, usage, error, limits.max_bytes
    )


def _ensure_writable(owner, actor) -> None:
    if isinstance(owner, Card):
        ensure_not_frozen(owner.partnership, actor)
        if owner.archived_at is not None:
            raise DomainError(_("This card is archived. Restore it before changing it."))


def add_attachments(owner, files: list[tuple[str | None, BinaryIO]], *, actor, limits: Limits):
    """Attach `files` ((name, stream) pairs) to `owner`: all of them, or none (DomainError)."""
    _ensure_writable(owner, actor)
    if not files:
        raise UploadRefused(_("Choose at least one file."))
    if len(files) > limits.max_files:
        raise UploadRefused(_("At most %(n)d files can be sent at once.", n=limits.max_files))
    prepared: list[Prepared] = []
    try:
        for name, stream in files:
            prepared.append(
                prepare(
                    name,
                    stream,
                    max_bytes=limits.max_bytes,
                    max_pixels=limits.max_pixels,
                    allowed=limits.allowed,
                )
            )
        partnership = owner.partnership
        used, adding = used_bytes(partnership), sum(p.size for p in prepared)
        if used + adding > limits.quota:
            raise TooLarge(
                _(
                    "The files of this partnership may take %(quota)s in all; %(used)s are used, "
                    "and these files need %(size)s more. Delete files that are no longer needed.",
                    quota=human_size(limits.quota),
                    used=human_size(used),
                    size=human_size(adding),
                )
            )
        return [_store(owner, item, actor) for item in prepared]
    finally:
        for item in prepared:
            item.data.close()


def _store(owner, item: Prepared, actor) -> Attachment:
    files = storage.current()
    try:
        files.put(item.key, item.data)
        if item.thumbnail is not None:
            import io

            files.put(item.thumbnail_key, io.BytesIO(item.thumbnail))
    except storage.StorageError as error:
        current_app.logger.error("attachment storage failed: %s", error)
        raise StorageUnavailable(
            _("Files cannot be stored at the moment. Please try again later.")
        ) from error
    attachment = Attachment(
        partnership_id=owner.partnership_id,
        uploader_id=actor.id if actor is not None else None,
        filename=item.filename,
        content_type=item.content_type,
        size=item.size,
        storage_key=item.key,
        thumbnail_key=item.thumbnail_key,
        width=item.width,
        height=item.height,
        **{OWNER_COLUMNS[type(owner)]: owner.id},
    )
    db.session.add(attachment)
    if isinstance(owner, Card):
        owner.attachment_count = Card.attachment_count + 1
        owner.touch()
    db.session.flush()
    _log(actor, "attached", owner, attachment)
    return attachment


def owner_of(attachment: Attachment):
    if attachment.card_id is not None:
        return db.session.get(Card, attachment.card_id)
    if attachment.workshop_id is not None:
        return db.session.get(Workshop, attachment.workshop_id)
    return db.session.get(FundingIdea, attachment.funding_idea_id)


def delete_attachment(attachment: Attachment, *, actor, moderator: bool = False) -> None:
    """Its uploader deletes an attachment; so may a facilitator (`moderator`)."""
    owner = owner_of(attachment)
    _ensure_writable(owner, actor)
    if not moderator and (actor is None or attachment.uploader_id != actor.id):
        raise Forbidden(_("Only its uploader or a facilitator can delete a file."))
    if isinstance(owner, Card):
        owner.attachment_count = Card.attachment_count - 1
        owner.touch()
    _log(actor, "detached", owner, attachment)
    forget_files([attachment])
    db.session.delete(attachment)
    db.session.flush()


def forget_files(attachments) -> None:
    """Remove these attachments' stored files after the commit (unless still referred to)."""
    keys = db.session.info.setdefault(PURGE, set())
    for attachment in attachments:
        keys.update(k for k in (attachment.storage_key, attachment.thumbnail_key) if k)


def owner_title(owner) -> str:
    from .workshops import workshop_title

    return workshop_title(owner) if isinstance(owner, Workshop) else owner.title


def _log(actor, what: str, owner, attachment: Attachment) -> None:
    title = owner_title(owner)
    log(
        actor,
        f"{VERBS[type(owner)]}.{what}",
        owner,
        partnership=owner.partnership,
        title=title,
        file=attachment.filename,
    )


def purge_unreferenced(keys) -> int:
    """Delete the stored files of `keys` that no attachment refers to; how many went."""
    keys = set(keys)
    if not keys:
        return 0
    with db.engine.connect() as conn:
        used = set(
            conn.scalars(sa.select(Attachment.storage_key).where(Attachment.storage_key.in_(keys)))
        ) | set(conn.scalars(sa.select(Attachment.thumbnail_key).where(Attachment.thumbnail_key.in_(keys))))
    files = storage.current()
    gone = keys - used
    for key in gone:
        files.delete(key)
    return len(gone)


def _on_commit(session) -> None:
    if session.in_nested_transaction():
        return
    keys = session.info.pop(PURGE, None)
    if keys:
        try:
            purge_unreferenced(keys)
        except Exception:  # the rows are gone either way; a later sweep removes the file
            current_app.logger.exception("removing attached files failed")


def _on_rollback(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(PURGE, None)


_hooked = False


def install() -> None:
    """Hook the removal of stored files into db.session's commits (idempotent)."""
    global _hooked
    if not _hooked:
        factory = db.session.session_factory
        sa_event.listen(factory, "after_commit", _on_commit)
        sa_event.listen(factory, "after_rollback", _on_rollback)
        _hooked = True


# Activity ------------------------------------------------------------------------------------


@describes("card.attached")
def _card_attached(d, who):
    return _(
        "%(who)s attached “%(file)s” to “%(title)s”",
        who=who,
        file=d.get("file", ""),
        title=d.get("title", ""),
    )


@describes("card.detached")
def _card_detached(d, who):
    return _(
        "%(who)s deleted the file “%(file)s” of “%(title)s”",
        who=who,
        file=d.get("file", ""),
        title=d.get("title", ""),
    )


@describes("workshop.attached")
def _workshop_attached(d, who):
    return _(
        "%(who)s attached “%(file)s” to the workshop “%(title)s”",
        who=who,
        file=d.get("file", ""),
        title=d.get("title", ""),
    )


@describes("workshop.detached")
def _workshop_detached(d, who):
    return _(
        "%(who)s deleted the file “%(file)s” of the workshop “%(title)s”",
        who=who,
        file=d.get("file", ""),
        title=d.get("title", ""),
    )


@describes("funding.attached")
def _funding_attached(d, who):
    return _(
        "%(who)s attached “%(file)s” to the funding idea “%(title)s”",
        who=who,
        file=d.get("file", ""),
        title=d.get("title", ""),
    )


@describes("funding.detached")
def _funding_detached(d, who):
    return _(
        "%(who)s deleted the file “%(file)s” of the funding idea “%(title)s”",
        who=who,
        file=d.get("file", ""),
        title=d.get("title", ""),
    )
