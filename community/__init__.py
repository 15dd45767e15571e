"""The base of Bruggen, in parts: core, accounts, library, gdpr and the site's own pages.

``core`` (extensions, database, config, security, page cache, mail outbox, storage,
i18n, markup, the feature registry) <- ``accounts`` (users, organisations, regions,
networks, roles) <- ``library`` (materials, practices) and ``gdpr`` (export, erasure,
retention) <- ``site`` (home and region pages). ``events`` and ``forums`` build on the
base; the base never imports them (``tests/test_layers.py`` holds the rules).
"""
