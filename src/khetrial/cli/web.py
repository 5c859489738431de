"""Commands: ``serve`` (the web application) and ``user add|list|disable|role|token``, plus
``allocation create`` (the concealed randomization list, once, at trial set-up)."""

from __future__ import annotations

import json
import sys

import typer

from khetrial.cli.app import DB_HELP, app, console, fail

user_app = typer.Typer(help="Manage the web application's accounts (roles, sites).",
                       no_args_is_help=True)
allocation_app = typer.Typer(help="The concealed allocation list for central randomization.",
                             no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(allocation_app, name="allocation")

ROLE_HELP = "Role: investigator, assessor, statistician, monitor or admin."


def _setup(db: str | None) -> None:
    from khetrial.edc.db import setup

    setup(db)


@app.command()
def serve(
    db: str = typer.Option(None, "--db", help=DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    threads: int = typer.Option(4, "--threads", help="Worker threads of the server."),
) -> None:
    """Start the web application (the waitress WSGI server).

    Migrations are applied first.
    """
    from khetrial.errors import KhetrialError

    try:
        _setup(db)
    except KhetrialError as exc:
        fail(exc)
    from django.core.wsgi import get_wsgi_application
    from waitress import serve as waitress_serve

    application = get_wsgi_application()
    console.print(f"khetrial serving on http://{host}:{port}/ (Ctrl-C to stop)")
    waitress_serve(application, host=host, port=port, threads=threads, ident="khetrial")


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat the password", hide_input=True) != first:
        from khetrial.errors import ConfigurationError

        raise ConfigurationError("the two passwords differ; run the command again")
    return first


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="User name to log in with."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    site: str = typer.Option(None, "--site", help="Site code (investigators: required; "
                                                   "assessors: optional, none = all sites)."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input (scripts)."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the account as one JSON object."),
) -> None:
    """Create an account with a role (and site); the password is prompted for."""
    from khetrial.errors import KhetrialError

    try:
        _setup(db)
        from khetrial.edc.accounts.services import add_user

        account = add_user(name, role, _password(password_stdin), site)
    except KhetrialError as exc:
        fail(exc)
    if as_json:
        print(json.dumps(account.to_dict()))
    else:
        console.print(f"user {account.username} added: {account.role}"
                      + (f" at site {account.site}" if account.site else ""))


@user_app.command("list")
def user_list(
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {\"users\": [...]} as JSON."),
) -> None:
    """List accounts with role, site, and whether active or locked out."""
    from khetrial.errors import KhetrialError

    try:
        _setup(db)
        from khetrial.edc.accounts.services import list_users

        accounts = list_users()
    except KhetrialError as exc:
        fail(exc)
    if as_json:
        print(json.dumps({"users": [a.to_dict() for a in accounts]}))
        return
    from rich.table import Table

    table = Table(title="accounts")
    for col in ("user", "role", "site", "active", "locked"):
        table.add_column(col)
    for a in accounts:
        table.add_row(a.username, a.role, a.site or "all", "yes" if a.active else "no",
                      "yes" if a.locked else "no")
    console.print(table)


@user_app.command("disable")
def user_disable(
    name: str = typer.Argument(..., help="User name."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the account as one JSON object."),
) -> None:
    """Disable an account (kept for the audit trail; its API tokens are revoked)."""
    from khetrial.errors import KhetrialError

    try:
        _setup(db)
        from khetrial.edc.accounts.services import disable_user

        account = disable_user(name)
    except KhetrialError as exc:
        fail(exc)
    if as_json:
        print(json.dumps(account.to_dict()))
    else:
        console.print(f"user {account.username} disabled")


@user_app.command("role")
def user_role(
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    site: str = typer.Option(None, "--site", help="Site code (see `user add`)."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Change an account's role and site (recorded in the audit trail)."""
    from khetrial.errors import KhetrialError

    try:
        _setup(db)
        from khetrial.edc.accounts.services import set_role

        account = set_role(name, role, site)
    except KhetrialError as exc:
        fail(exc)
    console.print(f"user {account.username}: {account.role} {account.site or ''}".rstrip())


@user_app.command("token")
def user_token(
    name: str = typer.Argument(..., help="User name."),
    label: str = typer.Option("api", "--label", help="What the token is for."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {\"token\": ...} as JSON."),
) -> None:
    """Issue an API token for a user (shown once; send as `Authorization: Bearer TOKEN`)."""
    from khetrial.errors import ConfigurationError, KhetrialError

    try:
        _setup(db)
        from django.contrib.auth import get_user_model

        from khetrial.edc.accounts.models import ApiToken

        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise ConfigurationError(f"no active user {name!r}; see `khetrial user list`")
        _, key = ApiToken.issue(user, label)
    except KhetrialError as exc:
        fail(exc)
    print(json.dumps({"user": name, "token": key}) if as_json else key)


@allocation_app.command("create")
def allocation_create(
    seed: str = typer.Option(..., "--seed", help="Seed of the random list (kept, never shown)."),
    per_site: int = typer.Option(60, "--per-site", help="Entries per site (whole blocks)."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {\"entries\": N} as JSON."),
) -> None:
    """Generate the concealed allocation list for every site (permuted blocks of 4/6,
    stratified by site). Once per trial; the list itself is never printed."""
    from khetrial.errors import KhetrialError

    try:
        _setup(db)
        from khetrial.edc.randomization.services import create_allocation_list
        from khetrial.edc.trial.models import Site

        n = create_allocation_list(Site.objects.values_list("code", flat=True), seed=seed,
                                   per_site=per_site, actor="cli")
    except KhetrialError as exc:
        fail(exc)
    print(json.dumps({"entries": n}) if as_json else f"allocation list created: {n} entries")
