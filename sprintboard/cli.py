"""The app's own commands (demo, create-admin, translate, outbox, toolbox, import, set-password,
worker),
registered on app.cli; the `sprintboard` entry point is sprintboard.console."""

from __future__ import annotations

import getpass
import secrets
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .extensions import db
from .paths import TRANSLATIONS, asset_root

LOCALES = ("de", "ru", "uk", "be")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(translate)
    app.cli.add_command(outbox_command)
    app.cli.add_command(toolbox_command)
    app.cli.add_command(import_command)
    app.cli.add_command(set_password_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(search_command)


@click.command("backup")
@with_appcontext
@click.argument("dest", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--keep", type=int, default=None, help="Snapshots to keep (default BACKUP_KEEP, 7).")
def backup_command(dest: Path | None, keep: int | None):
    """Make a consistent snapshot of the database and uploads while the app runs (DEST or BACKUP_DIR)."""
    from .services import snapshots

    try:
        path = snapshots.backup(dest, keep)
    except (snapshots.SnapshotError, subprocess.CalledProcessError) as error:
        raise click.ClickException(_tool_error(error)) from error
    click.echo(f"Backup: {path}")


@click.command("restore")
@with_appcontext
@click.argument("snapshot", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(snapshot: Path):
    """Restore a snapshot into this instance (its database and uploads must be empty)."""
    from .services import snapshots

    try:
        manifest = snapshots.restore(snapshot)
    except (snapshots.SnapshotError, subprocess.CalledProcessError) as error:
        raise click.ClickException(_tool_error(error)) from error
    click.echo(f"Restored the snapshot of {manifest['created_at']} ({sum(manifest['rows'].values())} rows).")


def _tool_error(error) -> str:
    if isinstance(error, subprocess.CalledProcessError):
        return (error.stderr or b"").decode(errors="replace").strip() or str(error)
    return str(error)


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads running tasks.")
@click.option("--parent", type=int, default=None, hidden=True)
def worker_command(workers: int, parent: int | None):
    """Run the task queue: send emails, digests and reminders (and other background work)."""
    from .queue import queue
    from .queue.worker import run_consumer

    run_consumer(queue.huey_of_app(), workers=workers, parent=parent)


@click.command("demo")
@click.option("--cards", default=0, show_default=True, help="Also create a board with N cards.")
@click.option("--password", default=None, help="Password for the demo users (random if omitted).")
@click.option(
    "--on-real-data",
    is_flag=True,
    help="Add the demo even though the database has real accounts (it makes a demo administrator).",
)
def demo_command(cards: int, password: str | None, on_real_data: bool):
    """Create a demo partnership of two cities and its people, and print how to log in."""
    from .seed import demo

    upgrade()
    real = demo.real_accounts()
    if real and not on_real_data:
        raise click.ClickException(
            f"This database has {real} real account(s). The demo adds a site administrator "
            f"(admin{demo.DOMAIN}) whose password is printed here: it is meant for a database of "
            "its own (DATABASE_URL or SPRINTBOARD_INSTANCE). Nothing was changed. Add "
            "--on-real-data to do it anyway."
        )
    password = password or secrets.token_urlsafe(9)
    result = demo.create_demo(password=password, cards=cards)
    db.session.commit()
    click.echo(f"Demo partnership: {result['partnership'].name} (id {result['partnership'].id})")
    for user, role in result["people"]:
        click.echo(f"  {role:<12} {user.email}")
    click.echo(f"Password for every demo user: {password}")
    if cards:
        click.echo(f"Board: {cards} cards")
    click.echo("Start the app with `sprintboard run` and log in at http://127.0.0.1:5000/login")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
def create_admin_command(email: str, name: str):
    """Create a site administrator (asks for the password)."""
    from .services import accounts

    upgrade()
    password = getpass.getpass("Password: ")
    user = accounts.create_user(email, name, password, is_admin=True)
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Restore a partnership from a JSON export into this (empty) instance, all or nothing."""
    from .services import backup, passwords

    if file.stat().st_size > backup.MAX_BYTES:
        raise click.ClickException(f"{file} is larger than {backup.MAX_BYTES // 2**20} MB; nothing imported.")
    upgrade()
    try:
        data = backup.load(file.read_bytes())
        partnership, created = backup.import_partnership(data)
        for user in created:
            passwords.send_welcome(user)
        db.session.commit()
    except backup.BackupError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} Nothing was imported.") from None
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Imported the partnership {partnership.name} (id {partnership.id}).")
    if created:
        click.echo(
            f"{len(created)} people were created without a password. Each gets an email with a link "
            "to set one (valid for 7 days; the worker sends it), or an administrator gives them one "
            "with `sprintboard set-password EMAIL`:"
        )
        for user in created:
            click.echo(f"  {user.email}")


@click.command("set-password")
@click.argument("email")
def set_password_command(email: str):
    """Set a person's password (asks for it), e.g. after an import."""
    from .models import User
    from .services import accounts

    user = User.by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the email {email}.")
    password = getpass.getpass("New password: ")
    if len(password) < accounts.MIN_PASSWORD:
        raise click.ClickException(f"The password needs at least {accounts.MIN_PASSWORD} characters.")
    user.password_hash = accounts.hash_password(password)
    db.session.commit()
    click.echo(f"Password set for {user.email}.")


@click.group("outbox")
def outbox_command():
    """The email outbox."""


@outbox_command.command("send")
def outbox_send():
    """Send due emails now through the configured SMTP server (the worker does this too)."""
    from .services import outbox

    click.echo(f"{outbox.deliver_due()} sent")


@click.group("search")
def search_command():
    """The search index."""


@search_command.command("reindex")
def search_reindex():
    """Rebuild the search index from all content (after an upgrade from before 0220 or a restore)."""
    from .extensions import db
    from .services import search_index

    count = search_index.reindex()
    db.session.commit()
    click.echo(f"{count} indexed")


@click.group("toolbox")
def toolbox_command():
    """The methods toolbox as open data."""


@toolbox_command.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def toolbox_export(directory: Path):
    """Write sprintboard-toolbox.json and sprintboard-toolbox-markdown.zip into DIRECTORY."""
    from .services import toolbox

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sprintboard-toolbox.json").write_text(toolbox.export_json(), encoding="utf-8")
    (directory / "sprintboard-toolbox-markdown.zip").write_bytes(toolbox.export_markdown_zip())
    click.echo(f"{len(toolbox.all_methods())} methods exported to {directory}")


@toolbox_command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def toolbox_import(file: Path):
    """Import a JSON or Markdown-zip export (all or nothing; methods are matched by slug)."""
    from flask_babel import force_locale

    from .services import DomainError, toolbox

    with force_locale("en"):
        try:
            created, updated = toolbox.import_file(file.read_bytes())
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{created} methods created, {updated} updated")


@toolbox_command.command("seed")
def toolbox_seed():
    """Load the bundled methods into an empty toolbox."""
    from .services import toolbox

    upgrade()
    created = toolbox.seed()
    db.session.commit()
    click.echo(f"{created} methods added" if created else "The toolbox is not empty; nothing added")


@click.group()
def translate():
    """Extract, update and compile the message catalogs."""


def _babel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)  # noqa: S603


def _paths():
    root = asset_root()
    return root, root / TRANSLATIONS


@translate.command("update")
def translate_update():
    """Extract messages from the code and templates and merge them into every catalog."""
    root, folder = _paths()
    pot = folder / "messages.pot"
    _babel(
        "extract",
        "-F",
        str(folder / "babel.cfg"),
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--ignore-dirs",
        ".* _* node_modules instance build dist tests",
        "--project",
        "Sprintboard",
        "-o",
        str(pot),
        str(root),
    )
    for locale in LOCALES:
        po = folder / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _babel("update", "-i", str(pot), "-d", str(folder), "-l", locale, "--no-fuzzy-matching")
        else:
            _babel("init", "-i", str(pot), "-d", str(folder), "-l", locale)


@translate.command("compile")
def translate_compile():
    """Compile every catalog to .mo (the compiled files are committed)."""
    _root, folder = _paths()
    _babel("compile", "-d", str(folder), "--statistics")


def _key(value):
    """Plural messages come as lists or tuples: make them comparable and hashable."""
    return tuple(value) if isinstance(value, list | tuple) else value


def compiled_is_current(folder: Path | None = None) -> bool:
    """True if every .mo holds exactly the translations of its .po."""
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = folder or _paths()[1]
    for locale in LOCALES:
        base = folder / locale / "LC_MESSAGES"
        with open(base / "messages.po", "rb") as fh:
            po = read_po(fh)
        with open(base / "messages.mo", "rb") as fh:
            mo = read_mo(fh)
        wanted = {_key(m.id): _key(m.string) for m in po if m.id and m.string and not m.fuzzy}
        have = {_key(m.id): _key(m.string) for m in mo if m.id}
        if wanted != have:
            return False
    return True


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value
