"""Commands: ``serve`` (the web application), ``warm`` (today's worklists into the cache) and ``user add|list|disable|enable|role|set-role|
unlock|reset-password|remove-second-factor|token|revoke-token``, plus ``allocation create`` (the concealed
randomization list, once, at trial set-up)."""

from __future__ import annotations

import json
import os
import sys

import typer

from khetrial.cli.app import DB_HELP, app, console, database_url, fail
from khetrial.edc.accounts.roles import (DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, SITE_OPTIONAL_ROLES,
                                         SITE_REQUIRED_ROLES)

user_app = typer.Typer(help="Manage the web application's accounts (roles, sites).",
                       no_args_is_help=True)
allocation_app = typer.Typer(help="The concealed allocation list for central randomization.",
                             no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(allocation_app, name="allocation")

DEFAULT_WORKERS = os.cpu_count() or 1
GUNICORN_TIMEOUT = 120
"""Seconds a request may take before gunicorn restarts its process (the report is computed
outside requests; an import or export of a large trial through the web may take long)."""
GUNICORN_KEEPALIVE = 75
"""Seconds gunicorn keeps an idle kept-alive connection open (its default, 2 s, closes
connections that a browser or client reuses a moment later: "connection reset by peer" under
load; 75 s as nginx's default, project choice)."""
ROLE_HELP = "Role: investigator, assessor, statistician, monitor, admin or dmc (the closed DMC report only)."


def _setup(db: str | None, create: bool = False) -> None:
    """Django up on the checked --db; only serve, user add and allocation create may create it."""
    from khetrial.edc.db import setup

    setup(database_url(db, create=create))


@app.command()
def serve(
    db: str = typer.Option(None, "--db", help=DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    threads: int = typer.Option(4, "--threads", help="Worker threads of each server process."),
    workers: int = typer.Option(
        DEFAULT_WORKERS, "--workers", min=1,
        help="Server processes (gunicorn, on Linux and macOS; default: the number of CPU cores). "
             "1, or without gunicorn, or with --trusted-proxy: one process (waitress)."),
    trusted_proxy: str = typer.Option(
        None, "--trusted-proxy",
        help="Address of a reverse proxy whose X-Forwarded-For/-Proto headers are believed "
             "(client addresses for login throttling; https behind a TLS proxy)."),
) -> None:
    """Start the web application (N gunicorn processes, or waitress).

    Migrations are applied first. The installation's secret key is created on first start
    (mode 0600, beside the SQLite file or in ~/.config/khetrial/); the public development key
    is refused on any address but loopback.
    """
    run_server(db, host, port, threads, trusted_proxy, workers)


def run_server(db: str | None, host: str, port: int, threads: int,
               trusted_proxy: str | None = None, workers: int = 1) -> None:
    """What `serve` does (also `demo --serve`, whose Django is already up on the database)."""
    from khetrial.errors import KhetrialError

    try:
        db = database_url(db, create=True)
        key_file = _ensure_secret_key(db)
        _setup(db, create=True)
        from django.conf import settings

        from khetrial.edc.accounts.secret_key import check_key_for_host, read_secret_key

        if key_file is not None:  # Django may have read its settings before the file existed
            settings.SECRET_KEY = read_secret_key(key_file)
        check_key_for_host(settings.SECRET_KEY, host)
    except KhetrialError as exc:
        fail(exc)
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    _load_views()
    if workers > 1 and trusted_proxy is None and _gunicorn_available():
        _serve_with_gunicorn(application, host, port, workers, threads)
        return
    if workers > 1:
        console.print(f"khetrial: one server process instead of {workers}: "
                      + ("--trusted-proxy needs waitress's proxy handling" if trusted_proxy
                         else "gunicorn is not installed (pip install gunicorn) or not supported here"))
    from waitress import serve as waitress_serve

    proxy = {} if not trusted_proxy else {
        "trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True}
    console.print(f"khetrial serving on http://{host}:{port}/ (Ctrl-C to stop)")
    waitress_serve(application, host=host, port=port, threads=threads, ident="khetrial", **proxy)


@app.command("warm")
def warm(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Compute today's worklists and dashboards into the shared cache.

    Run it once a day just after midnight (e.g. from cron), so that no user waits for the day's
    first page of a large site.
    """
    _setup(db)
    from khetrial.edc.trial.records import edc_today
    from khetrial.edc.web.worklist import warm as warm_caches

    today = edc_today()
    with console.status("Computing today's worklists..."):
        done = warm_caches(today)
    for scope, patients in done.items():
        console.print(f"{scope}: {patients:,} patients")
    console.print(f"Worklists and dashboards of {today.isoformat()} are in the shared cache.")


def _load_views() -> None:
    """Import the URL configuration and its views (and what they import: the report, scipy)
    now, before gunicorn forks: otherwise each server process would do it on its first
    request (about 1.5 s of CPU)."""
    from django.urls import get_resolver

    get_resolver().url_patterns


def _gunicorn_available() -> bool:
    """gunicorn runs on POSIX systems only (it forks); is it installed?"""
    if os.name != "posix":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def _serve_with_gunicorn(application, host: str, port: int, workers: int, threads: int) -> None:
    """Serve ``application`` with gunicorn: ``workers`` processes of ``threads`` threads each.

    The database connections of this process (migrations, key checks) are closed first, so no
    worker inherits one through the fork.
    """
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    class KhetrialGunicorn(BaseApplication):
        def load_config(self):
            options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                       "worker_class": "gthread", "proc_name": "khetrial", "accesslog": None,
                       "timeout": GUNICORN_TIMEOUT, "keepalive": GUNICORN_KEEPALIVE}
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    connections.close_all()
    console.print(f"khetrial serving on http://{host}:{port}/ with {workers} processes "
                  f"× {threads} threads (gunicorn; Ctrl-C to stop)")
    KhetrialGunicorn().run()


def _ensure_secret_key(db: str | None):
    """Create the installation's key file unless $KHETRIAL_SECRET_KEY gives the key; its path
    (None when the environment gives the key)."""
    from khetrial.edc.accounts.secret_key import ensure_secret_key, secret_key_path
    from khetrial.edc.db import URL_ENV, database_config

    if os.environ.get("KHETRIAL_SECRET_KEY"):
        return None
    config = database_config(db or os.environ.get(URL_ENV))
    sqlite_file = str(config["NAME"]) if config["ENGINE"].endswith("sqlite3") else None
    return ensure_secret_key(secret_key_path(sqlite_file))


def _check_site_option(role: str, site: str | None) -> None:
    """The CLI's words for the site rule (the service says it without option names)."""
    from khetrial.errors import ConfigurationError

    if role in SITE_REQUIRED_ROLES and not (site or "").strip():
        raise ConfigurationError(f"role {role} works for one site; give --site SITE")
    if (site or "").strip() and role not in SITE_REQUIRED_ROLES | SITE_OPTIONAL_ROLES:
        raise ConfigurationError(f"role {role} sees all sites; drop --site {site}")


def _account_service(db: str | None, name: str, *args, check=None):
    """``khetrial.edc.accounts.services.<name>(*args)`` on the database ``db`` (after ``check``,
    if given); a khetrial error is printed and exits with its code (:func:`fail`)."""
    from khetrial.errors import KhetrialError

    try:
        if check is not None:
            check()
        _setup(db)
        from khetrial.edc.accounts import services

        return getattr(services, name)(*args)
    except KhetrialError as exc:
        fail(exc)


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
    person: str = typer.Option("", "--person",
                               help="Who holds the account (e.g. e-mail; default: the user "
                                    "name). One person's accounts all have one role."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input (scripts)."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the account as one JSON object."),
) -> None:
    """Create an account with a role (and site); the password is prompted for.

    At least 12 characters, not a common password. Accounts made here (by the operator, at
    the server) are active at once; administrators on the web need a second administrator.
    """
    from khetrial.errors import KhetrialError

    try:
        _check_site_option(role, site)
        _setup(db, create=True)
        from khetrial.edc.accounts.services import add_user

        account = add_user(name, role, _password(password_stdin), site, person=person)
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
    accounts = _account_service(db, "list_users")
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
    account = _account_service(db, "disable_user", name)
    if as_json:
        print(json.dumps(account.to_dict()))
    else:
        console.print(f"user {account.username} disabled")


@user_app.command("set-role")
@user_app.command("role")
def user_role(
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    site: str = typer.Option(None, "--site", help="Site code (see `user add`)."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the account as one JSON object."),
) -> None:
    """Change an account's role and site (audited); `role` and `set-role` are one command."""
    account = _account_service(db, "set_role", name, role, site, check=lambda: _check_site_option(role, site))
    if as_json:
        print(json.dumps(account.to_dict()))
    else:
        console.print(f"user {account.username}: {account.role} {account.site or ''}".rstrip())


@user_app.command("enable")
def user_enable(
    name: str = typer.Argument(..., help="User name."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the account as one JSON object."),
) -> None:
    """Enable a disabled account again (audited; its old API tokens stay revoked)."""
    account = _account_service(db, "enable_user", name)
    if as_json:
        print(json.dumps(account.to_dict()))
    else:
        console.print(f"user {account.username} enabled")


@user_app.command("unlock")
def user_unlock(
    name: str = typer.Argument(..., help="User name."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {\"user\": ..., \"unlocked\": N}."),
) -> None:
    """Lift the lock that failed logins put on an account (every address; audited)."""
    n = _account_service(db, "unlock_user", name)
    print(json.dumps({"user": name, "unlocked": n}) if as_json
          else f"user {name}: unlocked ({n} locked address(es) cleared)")


@user_app.command("reset-password")
def user_reset_password(
    name: str = typer.Argument(..., help="User name."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json",
                                 help="Print {\"user\": ..., \"temporary_password\": ...}."),
) -> None:
    """Give a user a temporary password (printed once); they must change it at the next login.

    Their open sessions end. Hand the password over by a channel other than the one that
    carries the user name.
    """
    password = _account_service(db, "reset_password", name)
    print(json.dumps({"user": name, "temporary_password": password}) if as_json
          else f"user {name}: temporary password {password} (must be changed at the next login)")


@user_app.command("remove-second-factor")
def user_remove_second_factor(
    name: str = typer.Argument(..., help="User name."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {\"user\": ..., \"removed\": N}."),
) -> None:
    """Remove a user's authenticator app (a lost phone; audited).

    They enrol a new one at the next login where one is required (administrators, unblinding).
    The way back in for the last administrator.
    """
    n = _account_service(db, "remove_second_factor", name)
    print(json.dumps({"user": name, "removed": n}) if as_json
          else f"user {name}: {n} authenticator(s) removed")


@user_app.command("token")
def user_token(
    name: str = typer.Argument(..., help="User name."),
    label: str = typer.Option("api", "--label", help="What the token is for."),
    days: int = typer.Option(DEFAULT_TOKEN_DAYS, "--days",
                             help=f"Days the token is valid (1-{MAX_TOKEN_DAYS})."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {\"token\": ...} as JSON."),
) -> None:
    """Issue an API token for a user (shown once; send as `Authorization: Bearer TOKEN`).

    It expires after --days; `khetrial user revoke-token NAME` ends it sooner.
    """
    key = _account_service(db, "issue_token", name, days, label)
    print(json.dumps({"user": name, "token": key}) if as_json else key)


@user_app.command("revoke-token")
def user_revoke_token(
    name: str = typer.Argument(..., help="User name."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print {\"revoked\": N} as JSON."),
) -> None:
    """Revoke every API token of a user (requests with them get 401 from then on)."""
    n = _account_service(db, "revoke_tokens", name)
    print(json.dumps({"user": name, "revoked": n}) if as_json
          else f"user {name}: {n} valid API token(s) revoked")


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
        _setup(db, create=True)
        from khetrial.edc.randomization.services import create_allocation_list
        from khetrial.edc.trial.models import Site

        n = create_allocation_list(Site.objects.values_list("code", flat=True), seed=seed,
                                   per_site=per_site, actor="cli")
    except KhetrialError as exc:
        fail(exc)
    print(json.dumps({"entries": n}) if as_json else f"allocation list created: {n} entries")
