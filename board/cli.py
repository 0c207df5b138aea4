"""Operator commands: `flask --app app board ...`."""

from __future__ import annotations

import fcntl
import os
import re
import sys
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .models import Idea, Role, User

board_cli = AppGroup("board", help="Look after this Simpl board.")

START_COMMAND = ".venv/bin/flask --app app board start"
# Any number, the same in every process of the board: PostgreSQL's lock for migrating.
MIGRATION_LOCK = 7_210_301


def _one_line(error: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's statement and links."""
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def _database_state() -> tuple[str | None, str, bool]:
    """The database's migration revision (None if it has none), the code's latest one,
    and whether the board's tables are there. Only reads."""
    config = current_app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        has_tables = inspect(connection).has_table(User.__tablename__)
    return current, head, has_tables


@contextmanager
def _one_migration_at_a_time():
    """After an upgrade, the mail and digest timers of several servers may start at the same
    moment: one of them migrates while the others wait, then find the work done."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        return
    # SQLite: the processes share one machine, and the instance folder.
    with open(Path(current_app.instance_path) / "migrating.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _behind(current: str | None, head: str, has_tables: bool) -> bool:
    # Tables without a revision were made straight from the models (create_all), so
    # they are as the code is: migrating them would try to make them again.
    return current != head and (current is not None or not has_tables)


def database_up_to_date(command):
    """Bring the database up to date before an operator command runs, as starting the
    board does, so that every command works on a board that has never been started."""

    @wraps(command)
    def run(*args, **kwargs):
        try:
            if _behind(*_database_state()):
                with _one_migration_at_a_time():
                    if _behind(*_database_state()):  # unless another did it meanwhile
                        upgrade()
        except (SQLAlchemyError, CommandError, OSError) as error:
            raise click.ClickException(
                f"Cannot bring the database up to date "
                f"({db.engine.url.render_as_string(hide_password=True)}): {_one_line(error)}"
            ) from None
        return command(*args, **kwargs)

    return run


@board_cli.command("start")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1",
              help="Address to listen on (HOST). Use 0.0.0.0 to be reachable from other machines.")
@click.option("--port", default=lambda: int(os.environ.get("PORT", "8000")), show_default="8000",
              help="Port to listen on (PORT).")
@click.option("--workers", default=lambda: int(os.environ.get("WEB_CONCURRENCY", "2")),
              show_default="2", help="Worker processes (WEB_CONCURRENCY).")
@click.option("--threads", default=lambda: int(os.environ.get("WEB_THREADS", "4")),
              show_default="4", help="Threads in each worker (WEB_THREADS).")
@database_up_to_date
def start(host: str, port: int, workers: int, threads: int) -> None:
    """Bring the database up to date, then serve the board with gunicorn.

    Each worker has threads (gunicorn's gthread worker) so that a connection that sends
    nothing, as browsers open ahead of time, waits aside instead of holding a worker: a
    single-threaded worker would stop answering anyone until gunicorn's timeout ends it.
    """
    if not db.session.scalar(select(func.count(User.id))):
        click.echo("The board is empty. To see it with example content, stop it and run:\n"
                   "  .venv/bin/flask --app app board demo")
    click.echo(f"Simpl is starting at http://{host}:{port}/ (press Ctrl+C to stop)")
    sys.stdout.flush()
    root = os.path.dirname(current_app.root_path)
    os.execv(sys.executable, [
        sys.executable, "-m", "gunicorn", "--chdir", root, "--workers", str(workers),
        "--threads", str(threads), "--bind", f"{host}:{port}", "--access-logfile", "-",
        *_control_socket(), "app:app",
    ])


def _control_socket() -> list[str]:
    """gunicorn's control socket (for gunicornc) in the board's instance folder.

    gunicorn's default is one socket per user (~/.gunicorn/gunicorn.ctl), which two
    boards run by one user would fight over. A Unix socket's path has a length limit:
    a board in a folder too deep for it goes without one.
    """
    path = os.path.join(os.path.abspath(current_app.instance_path), "gunicorn.ctl")
    if len(os.fsencode(path)) > 100:
        return ["--no-control-socket"]
    return ["--control-socket", path]


@board_cli.command("demo")
@click.option("--password", default="demo-password", show_default=True,
              help="The password every demo person signs in with.")
@database_up_to_date
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
               f"'{password}', for example: {people[0].username}; as council_team to see the admin "
               f"pages, or as ruth to moderate.")


@board_cli.command("generate")
@click.option("--people", default=10_000, show_default=True)
@click.option("--ideas", default=100_000, show_default=True)
@click.option("--help-requests", default=20_000, show_default=True)
@click.option("--comments", default=500_000, show_default=True)
@click.option("--supports", default=1_000_000, show_default=True)
@click.option("--password", default="generated-password", show_default=True,
              help="The password every generated person signs in with.")
@click.option("--seed", default=1, show_default=True, help="The same seed makes the same board.")
@database_up_to_date
def generate(people, ideas, help_requests, comments, supports, password, seed) -> None:
    """Fill an empty board with a large, realistic one, for benchmarks and trials at scale.

    Generated people are called neighbour1, neighbour2, ... Refuses a board that
    already has people on it.
    """
    import time

    from .generate import Sizes, generate_board

    if db.session.scalar(select(func.count(User.id))):
        raise click.ClickException("This board already has people on it; generate fills an empty one.")
    started = time.monotonic()
    sizes = Sizes(people=people, ideas=ideas, help_requests=help_requests, comments=comments,
                  supports=supports)
    generate_board(sizes, password, seed=seed, echo=click.echo)
    db.session.commit()
    click.echo(f"Board generated in {time.monotonic() - started:.0f} s.")


@board_cli.command("create-admin")
@click.argument("username")
@click.option("--email", help="For a new account: its email address (asked if not given).")
@click.option("--password", help="For a new account: its password (asked if not given).")
@database_up_to_date
def create_admin(username: str, email: str | None, password: str | None) -> None:
    """Make USERNAME an admin, creating the account if it does not exist yet.

    The first admin of a new board is made this way; admins then manage everyone
    else's roles on the board itself (Admin, then People).
    """
    person = User.by_username(username)
    if person is None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{3,30}", username):
            raise click.ClickException(
                "A username must be 3 to 30 letters, numbers, hyphens or underscores."
            )
        email = (email or click.prompt("Email address")).strip().lower()
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            raise click.ClickException(f"{email!r} is not an email address.") from None
        if User.by_email(email) is not None:
            raise click.ClickException("There is already an account with that email address.")
        password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < 8:
            raise click.ClickException("A password must be at least 8 characters long.")
        person = User(username=username, email=email)
        person.set_password(password)
        db.session.add(person)
        created = True
    else:
        created = False
    person.role = Role.ADMIN
    db.session.commit()
    click.echo(f"{'Created' if created else 'Made'} {person.username} an admin.")


@board_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(Role.ALL))
@click.option("--official/--not-official", default=None,
              help="Show (or stop showing) the 'Official' badge, for council or group staff.")
@database_up_to_date
def set_role(username: str, role: str, official: bool | None) -> None:
    """Give USERNAME a ROLE: member, moderator or admin."""
    person = User.by_username(username)
    if person is None:
        raise click.ClickException(f"There is nobody called {username} on this board.")
    person.role = role
    if official is not None:
        person.is_official = official
    db.session.commit()
    badge = ", with the Official badge" if person.is_official else ""
    click.echo(f"{person.username} is now {'an' if role == Role.ADMIN else 'a'} {role}{badge}.")


@board_cli.command("send-mail")
@database_up_to_date
def send_mail() -> None:
    """Send the email waiting in the outbox; what cannot be sent yet is tried again later.

    Pages send their email themselves once answered; run this from cron every few
    minutes to retry what could not go at the time. Safe to run twice at once.
    """
    from .mail import mail_enabled
    from .mail.outbox import forget_sent, send_due

    if not mail_enabled():
        raise click.ClickException("Email is off: set MAIL_SERVER to send email.")
    sent, unsent = send_due()
    forget_sent()
    click.echo(f"Sent {sent} email(s); {unsent} could not be sent now (see the outbox table: "
               "they are tried again later unless the server refused them for good)."
               if unsent else f"Sent {sent} email(s).")


@board_cli.command("send-digests")
@database_up_to_date
def send_digests() -> None:
    """Write the daily and weekly digests that are due, and the staff's daily list of ideas
    overdue or coming due for an official answer, then send the outbox.

    Safe to run from cron every few minutes, twice at once, or after a crash:
    nobody gets the same digest twice.
    """
    from .mail import mail_enabled
    from .mail.outbox import send_due
    from .notifications.emails import send_due_digests
    from .pledge import send_answer_reminders

    written = send_due_digests() + send_answer_reminders()
    sent, unsent = send_due() if mail_enabled() else (0, 0)
    click.echo(f"Digests written: {written}. Email sent: {sent}, waiting: {unsent}.")


@board_cli.command("erase-user")
@click.argument("username")
@click.option("--posts", type=click.Choice(["remove", "keep"]), default=None,
              help="Remove their ideas, help requests, comments and offers, or keep them "
                   "shown as by 'Deleted user' (asked if not given).")
@database_up_to_date
def erase_user(username: str, posts: str | None) -> None:
    """Delete USERNAME's account, as they can themselves from their account page.

    Their personal details are erased at once and they are signed out everywhere.
    Use it when someone asks for their account to be deleted and cannot sign in.
    """
    from .people.own_data import erase

    person = User.by_username(username)
    if person is None:
        raise click.ClickException(f"There is nobody called {username} on this board.")
    if person.erased_at is not None:
        raise click.ClickException(f"{person.username} is a deleted account already.")
    if posts is None:
        posts = click.prompt(
            "Remove their posts, or keep them shown as by 'Deleted user'?",
            type=click.Choice(["remove", "keep"]),
        )
    old_username = person.username
    erase(person, keep_posts=posts == "keep")
    db.session.commit()
    kept = ("Their posts are kept, shown as by 'Deleted user'." if posts == "keep"
            else "Their ideas, help requests, comments and offers are removed.")
    click.echo(f"Erased {old_username}: the account is now {person.username}, "
               f"with no personal details. {kept}")


def _without_password(uri: str) -> str:
    """A storage address as it can be shown: any password replaced by ***."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


@board_cli.command("check")
def check() -> None:
    """Show where the data lives, whether it is up to date, and what the board relies on.

    Only reads: on a board that has never been started it says so and creates nothing.
    Exits with an error when the database is missing, unreachable or out of date.
    """
    from .mail import mail_enabled
    from .mail.models import OutboxMessage
    from .search.index import installed as search_installed

    url = db.engine.url
    engine = url.get_backend_name()
    click.echo(f"Database: {url.render_as_string(hide_password=True)} ({engine})")
    path = url.database if engine == "sqlite" else None
    if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
        # Connecting would create an empty file, and this command only reads.
        raise click.ClickException(f"The board has never been started: there is no database "
                                   f"at {path} yet. Start it with: {START_COMMAND}")
    try:
        current, head, has_tables = _database_state()
        if not has_tables:
            raise click.ClickException(f"The database has no tables yet. Start the board "
                                       f"once with: {START_COMMAND}")
        people = db.session.scalar(select(func.count(User.id)))
        ideas = db.session.scalar(select(func.count(Idea.id)))
        waiting = db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)))
        # The session's own connection: a second one would wait for its lock.
        search_engine = search_installed(db.session.connection())
        db.session.rollback()
    except SQLAlchemyError as error:
        raise click.ClickException(f"Cannot read the database: {_one_line(error)}") from None
    if current == head:
        click.echo(f"Migrations: {current}, the latest")
    elif current is None:
        click.echo(f"Migrations: none recorded (tables made without migrations); "
                   f"the latest is {head}")
    else:
        click.echo(f"Migrations: {current}, but the latest is {head}")
    click.echo(f"Search index: installed ({search_engine})" if search_engine
               else "Search index: missing (bring the database up to date)")
    click.echo(f"Rate limits kept in: {_without_password(current_app.config['RATELIMIT_STORAGE_URI'])}"
               + ("" if current_app.config["RATELIMIT_ENABLED"] else " (rate limits are off)"))
    if mail_enabled():
        click.echo(f"Email: on, through {current_app.config['MAIL_SERVER']}:"
                   f"{current_app.config['MAIL_PORT']}")
    else:
        click.echo("Email: off (set MAIL_SERVER to send email)")
    click.echo(f"Outbox: {waiting} email(s) waiting")
    click.echo(f"People: {people}")
    click.echo(f"Ideas: {ideas}")
    if current is not None and current != head:
        raise click.ClickException(f"The database is not up to date. Bring it up to date "
                                   f"by starting the board: {START_COMMAND}")


@board_cli.command("copy-to")
@click.argument("target_url")
@database_up_to_date
def copy_to(target_url: str) -> None:
    """Copy this board into the empty database TARGET_URL, such as
    postgresql+psycopg://simpl@db.example.org/simpl.

    Every table is copied with its ids, the search index is rebuilt, and the rows are
    counted on both sides. Stop the board first, so that nothing changes while it
    copies; then point DATABASE_URL at the new database. A database that already holds
    tables is refused.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from . import create_app
    from .moving import TargetNotEmpty, copy_rows, ensure_empty

    try:
        target = create_engine(target_url)
        ensure_empty(target)
    except TargetNotEmpty as refusal:
        raise click.ClickException(str(refusal)) from None
    except (SQLAlchemyError, ValueError, ImportError) as error:
        raise click.ClickException(f"Cannot reach {target_url}: {error}") from None
    # The migrations build the target's schema, exactly as `db upgrade` would there.
    target_app = create_app({
        "SQLALCHEMY_DATABASE_URI": target_url, "SECRET_KEY": current_app.secret_key,
        "INSTANCE_PATH": current_app.instance_path,
    })
    with target_app.app_context():
        upgrade()
        db.engine.dispose()
    click.echo(f"Copying {db.engine.url.render_as_string(hide_password=True)} to "
               f"{target.url.render_as_string(hide_password=True)}")
    copied = copy_rows(db.engine, target, progress=lambda table, rows: click.echo(f"  {table}: {rows}"))
    target.dispose()
    different = [table for table in copied if not table.complete]
    if different:
        raise click.ClickException("Row counts differ after copying: " + ", ".join(
            f"{table.name} ({table.source_rows} here, {table.target_rows} there)" for table in different
        ))
    click.echo(f"Copied {sum(table.target_rows for table in copied)} rows in {len(copied)} tables; "
               "every table's count matches. Point DATABASE_URL at the new database to use it.")
