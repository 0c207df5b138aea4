"""Operator commands: `flask --app app board ...`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from .extensions import db
from .models import Idea, User

board_cli = AppGroup("board", help="Look after this Simpl board.")


@board_cli.command("demo")
@click.option("--password", default="demo-password", show_default=True,
              help="The password every demo person signs in with.")
def demo(password: str) -> None:
    """Fill an empty board with believable demo content.

    People, ideas, help requests, offers and comments from an imaginary
    neighbourhood, so that a newcomer sees what the board is for. Refuses to
    touch a board that already has ideas on it.
    """
    from .demo import fill_demo_board

    if db.session.scalar(select(func.count(Idea.id))):
        raise click.ClickException("This board already has ideas on it; the demo only fills an empty one.")
    people = fill_demo_board(password)
    db.session.commit()
    click.echo(f"Demo board ready: {len(people)} people. Sign in as any of them with the password "
               f"'{password}', for example: {people[0].username}.")


@board_cli.command("check")
def check() -> None:
    """Show where the data lives and how many people and ideas it holds."""
    click.echo(f"Database: {db.engine.url.render_as_string(hide_password=True)}")
    click.echo(f"People: {db.session.scalar(select(func.count(User.id)))}")
    click.echo(f"Ideas: {db.session.scalar(select(func.count(Idea.id)))}")
