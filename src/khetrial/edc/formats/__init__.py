"""Date formats per language (``FORMAT_MODULE_PATH``): what the ``date`` filter's format names
(``DATE_FORMAT``, ``DATETIME_FORMAT``) mean in each language of the interface.

English keeps ISO dates (2018-05-02), unambiguous across the five centres (a project choice:
Django's English default, 05/02/2018, reads as February in China); Simplified Chinese writes
2018年5月2日 as Chinese clinical documents do.
"""
