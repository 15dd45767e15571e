"""The machinery every part uses: extensions, database base, config, security headers,
routing, error pages, i18n, markup, tokens, text, shared forms, the domain-error base,
the feature registry, and the page cache, mail outbox and file storage packages.

Imports nothing else of Bruggen (``tests/test_layers.py``).
"""
