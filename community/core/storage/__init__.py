"""Uploaded files: ``local`` (the storage backend, a folder by default) and ``hooks``
(session hooks that write and remove files together with their rows).
"""
