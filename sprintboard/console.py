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
def run(ctx, **kwargs):
    """Apply migrations, then run the development server."""
    upgrade()
    ctx.invoke(run_command, **kwargs)


run.params = list(run_command.params)


def _shell_and_db():
    from flask.cli import routes_command, shell_command
    from flask_migrate.cli import db as db_group

    main.add_command(shell_command)
    main.add_command(routes_command)
    main.add_command(db_group)


_shell_and_db()
