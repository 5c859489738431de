"""PostgreSQL deployment: an owner role for the schema, an application role that cannot rewrite
the audit trail (``khetrial db init``).

::

    khetrial_owner  NOLOGIN   owns the database, the schema, every table and trigger function
    khetrial_app    LOGIN     what the web application and the CLI connect as: reads and writes
                              clinical tables; on audit_auditentry and audit_lockevent only
                              SELECT and INSERT (no UPDATE, DELETE, TRUNCATE); not an owner, so
                              it cannot ALTER TABLE ... DISABLE TRIGGER; not a superuser, so it
                              cannot SET session_replication_role = replica

``init_roles`` connects with an administrator's URL (a superuser, or a role with CREATEROLE that
owns the database), applies the migrations as that administrator, then hands every object to
the owner and grants the application role its rights. Run it again after an upgrade: it is
idempotent, and new migrations are applied the same way.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

from khetrial.errors import ConfigurationError

AUDIT_TABLES = ("audit_auditentry", "audit_lockevent")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_role_name(name: str) -> str:
    if not ROLE_NAME.match(name or ""):
        raise ConfigurationError(f"role name {name!r}: expected lower-case letters, digits and "
                                 "underscores, starting with a letter (at most 63)")
    return name


def init_roles(url: str, *, owner: str, app: str, app_password: str | None) -> list[str]:
    """Create ``owner`` and ``app`` if needed, give ``owner`` everything, grant ``app`` its rights.

    The schema must be migrated already (``khetrial.edc.db.setup`` on ``url``). Returns the
    statements run, for the command's report.
    """
    check_role_name(owner), check_role_name(app)
    if owner == app:
        raise ConfigurationError("the owner and the application role must differ")
    done: list[str] = []
    with psycopg.connect(url, autocommit=False) as con:
        def run(statement, *params):
            con.execute(statement, params or None)
            done.append(statement.as_string(con) if hasattr(statement, "as_string")
                        else str(statement))

        database = con.execute("SELECT current_database()").fetchone()[0]
        _create_role(con, run, owner, login=False, password=None)
        _create_role(con, run, app, login=True, password=app_password)
        o, a, d = sql.Identifier(owner), sql.Identifier(app), sql.Identifier(database)
        run(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(d, o))
        run(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(o))
        run(sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        for (table,) in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                    ).fetchall():
            run(sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(table), o))
        for (function,) in con.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'public'").fetchall():
            run(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(function), o))
        run(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(d, a))
        run(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(a))
        run(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
                    ).format(a))
        run(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(a))
        for table in AUDIT_TABLES:
            run(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {} FROM {}"
                        ).format(sql.Identifier(table), a))
        con.commit()
    return done


def _create_role(con, run, name: str, *, login: bool, password: str | None) -> None:
    exists = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
    options = sql.SQL("LOGIN" if login else "NOLOGIN")
    safety = sql.SQL("NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
    verb = sql.SQL("ALTER" if exists else "CREATE")
    run(sql.SQL("{} ROLE {} {} {}").format(verb, sql.Identifier(name), options, safety))
    if password:
        # run directly: the password never enters the list of statements reported
        con.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name),
                                                                sql.Literal(password)))
