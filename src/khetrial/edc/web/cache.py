"""The cache every server process shares: Django's database cache, with many entries read and
written in a statement each.

Django's :class:`~django.core.cache.backends.db.DatabaseCache` reads many keys in one
``SELECT`` but writes ``set_many`` key by key (a count, a select and an insert or update each:
three round trips a key, three thousand for a site of a thousand patients). Here ``set_many``
writes a batch of entries in one ``INSERT ... ON CONFLICT (cache_key) DO UPDATE`` (PostgreSQL,
and SQLite from 3.24), after one count of the table (culling it as Django does when it holds
more than ``MAX_ENTRIES``), and ``get_many`` reads its keys in batches the database accepts,
leaving out expired entries in the query rather than converting every expiry in Python.
Values are stored as Django stores them (pickled, base64 text), so every other method of the
base class keeps working on the same table (:class:`khetrial.edc.web.models.CacheEntry`).

What the pages keep there is computed from patients' rows: :func:`per_patient` keys a value
by the patient and its ``revision`` (new on every write of its rows), under a prefix naming
what is cached, for which day and by which code (:func:`code_version`: a digest of the source
it is computed by, so a changed rule never reads an entry made by the old one).
"""

from __future__ import annotations

import base64
import hashlib
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now

KEYS_PER_QUERY = 5000  # keys per SELECT ... IN (...) where the database sets no lower limit
SHARED_CACHE = "advice"  # settings.CACHES: the database cache every server process shares
LOCAL_ENTRIES = 20_000
"""Project choice: the per-patient entries each server process also keeps in memory, the most
recently used (a site of 1,000 patients in follow-up reads 2,000-3,000 a page)."""


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache whose ``set_many`` is one statement per batch of entries."""

    def _connection(self, write: bool):
        route = router.db_for_write if write else router.db_for_read
        return connections[route(self.cache_model_class)]

    def get_many(self, keys, version=None):
        """The live entries of ``keys``: one ``SELECT`` per batch the database accepts, expiry
        compared in it (expired rows are left to the cull); keys as made by
        :meth:`make_key`, checked when written."""
        key_map = {self.make_key(key, version=version): key for key in keys}
        if not key_map:
            return {}
        connection = self._connection(False)
        quote = connection.ops.quote_name
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        limit = (connection.features.max_query_params or KEYS_PER_QUERY + 1) - 1
        made = list(key_map)
        found = {}
        with connection.cursor() as cursor:
            for start in range(0, len(made), limit):
                batch = made[start:start + limit]
                cursor.execute(
                    f"SELECT {quote('cache_key')}, {quote('value')} FROM {quote(self._table)} "
                    f"WHERE {quote('expires')} > %s AND {quote('cache_key')} IN "
                    f"({', '.join(['%s'] * len(batch))})", [now, *batch])
                for key, value in cursor.fetchall():
                    value = connection.ops.process_clob(value)
                    found[key_map[key]] = pickle.loads(base64.b64decode(value.encode()))
        return found

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        connection = self._connection(True)
        quote = connection.ops.quote_name
        table = quote(self._table)
        seconds = self.get_backend_timeout(timeout)
        expires = (datetime.max if seconds is None
                   else datetime.fromtimestamp(seconds, tz=timezone.utc if settings.USE_TZ else None))
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        rows = [(self.make_and_validate_key(key, version=version),
                 base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"),
                 expires) for key, value in data.items()]
        rows.sort()  # one lock order for every writer: two concurrent writes cannot deadlock
        per_batch = max(1, (connection.features.max_query_params or 3 * KEYS_PER_QUERY) // 3)
        columns = ", ".join(quote(c) for c in ("cache_key", "value", "expires"))
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                count = cursor.fetchone()[0]
                if count + len(rows) > self._max_entries:
                    self._cull(connection.alias, cursor, tz_now().replace(microsecond=0),
                               count + len(rows))
                for start in range(0, len(rows), per_batch):
                    batch = rows[start:start + per_batch]
                    cursor.execute(
                        f"INSERT INTO {table} ({columns}) VALUES "
                        + ", ".join(["(%s, %s, %s)"] * len(batch))
                        + f" ON CONFLICT ({quote('cache_key')}) DO UPDATE SET "
                        f"{quote('value')} = EXCLUDED.{quote('value')}, "
                        f"{quote('expires')} = EXCLUDED.{quote('expires')}",
                        [cell for row in batch for cell in row])
        except DatabaseError:
            # as Django's set: a cache write that fails (a concurrent cull, a read-only
            # replica) only means the values are computed again next time
            return list(data)
        return []


def code_version(*modules: ModuleType) -> str:
    """A digest of the source of ``modules`` (a package: every ``.py`` file under it)."""
    digest = hashlib.sha256()
    for module in modules:
        path = Path(module.__file__)
        files = sorted(path.parent.rglob("*.py")) if path.name == "__init__.py" else [path]
        for file in files:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def per_patient(prefix: str, patients: Iterable, compute: Callable[[list], dict]) -> dict:
    """Patient pk -> its value for every patient of ``patients``: from the shared cache under
    ``prefix:pk:revision``, else from ``compute(patients missing)`` (pk -> value), stored at
    once. One ``get_many``, and one ``set_many`` when any was missing."""
    patients = list(patients)
    keys = {p.pk: f"{prefix}:{p.pk}:{p.revision.hex}" for p in patients}
    found = _LOCAL.get_many(keys.values())
    wanted = [key for key in keys.values() if key not in found]
    if wanted:
        shared = caches[SHARED_CACHE].get_many(wanted)
        missing = [p for p in patients if keys[p.pk] not in found and keys[p.pk] not in shared]
        if missing:
            made = {keys[pk]: value for pk, value in compute(missing).items()}
            caches[SHARED_CACHE].set_many(made)
            shared.update(made)
        _LOCAL.set_many(shared)
        found.update(shared)
    return {pk: found[key] for pk, key in keys.items()}


class LocalEntries:
    """The entries this process read or made last, at most ``size``, in front of the shared
    cache. An entry's key names everything its value is computed from (the patient's
    revision, the day, the code), and the values are immutable (tuples, frozen dataclasses,
    numbers), so a kept entry is never stale: it only saves unpickling it again."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[str, object] = OrderedDict()

    def get_many(self, keys: Iterable[str]) -> dict:
        found = {}
        for key in keys:
            if key in self.entries:
                self.entries.move_to_end(key)
                found[key] = self.entries[key]
        return found

    def set_many(self, data: dict) -> None:
        self.entries.update(data)
        for key in data:
            self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def clear(self) -> None:
        self.entries.clear()


_LOCAL = LocalEntries(LOCAL_ENTRIES)


def forget_local_entries() -> None:
    """Empty this process's copies (the shared cache is unchanged)."""
    _LOCAL.clear()
