"""The page cache for anonymous visitors: ``versions`` (data versions raised by session
hooks on every commit) and ``middleware`` (the WSGI layer and ``cached_page``).
"""
