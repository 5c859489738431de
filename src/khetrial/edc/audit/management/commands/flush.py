"""Django's ``flush``, which may empty the audit tables only on a test database.

Overrides ``django.core``'s command of the same name (an installed app's command wins). On any
other database the audit tables' delete triggers refuse, and the flush fails as a whole.
"""

from django.core.management.commands import flush
from django.db import connections

from khetrial.edc.audit.guard import flushing, is_test_database


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if not is_test_database(connection):
            return super().handle(**options)
        with flushing():
            return super().handle(**options)
