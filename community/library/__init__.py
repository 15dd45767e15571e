"""The library: materials (files and links, versions, tags) and good practices, with
their uploads checks, permission rules, forms and pages.
"""
