"""The `sprintboard` command: Flask's CLI (run, db, shell, routes) plus the app's own commands
(sprintboard.cli, registered by create_app)."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, run_command
from flask_migrate import upgrade

from . import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False)
def main():
    """Sprintboard: collaborative sprint boards for city partnerships."""


@main.command("run")
@click.pass_context
def run(ctx, worker: bool = True, **kwargs):
    """Apply migrations, then run the development server (with a worker for mail and reminders)."""
    import os

    from flask import current_app

    upgrade()
    # The worker is a child process (Huey's consumer needs a main thread). With the reloader,
    # only the outer process starts it, once; an immediate queue needs none.
    if worker and os.environ.get("WERKZEUG_RUN_MAIN") != "true" and not current_app.config["QUEUE_IMMEDIATE"]:
        from .queue import worker as queue_worker

        queue_worker.spawn_child()
    ctx.invoke(run_command, **kwargs)


run.params = [
    *run_command.params,
    click.Option(
        ["--worker/--no-worker"],
        default=True,
        help="Also run `sprintboard worker` (emails, digests, reminders) as a child process.",
    ),
]


def _shell_and_db():
    from flask.cli import routes_command, shell_command
    from flask_migrate.cli import db as db_group

    main.add_command(shell_command)
    main.add_command(routes_command)
    main.add_command(db_group)


_shell_and_db()
