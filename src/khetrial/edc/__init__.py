"""The EDC wing: everything that needs Django (settings, URLs, the database, the bundle ⇄ database
store, and the apps ``trial``, ``accounts``, ``audit``, ``randomization`` and ``web``).

Nothing outside this package imports Django; the core (``protocol``, ``bundle``, ``endpoints``,
``stats``, ``sap``, ``simulate``, ``design``, ``report``) never imports this package. The apps keep
their labels, so migrations and table names are those of the first version.
"""
