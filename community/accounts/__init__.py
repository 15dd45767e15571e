"""Accounts: users, organisations, regions, networks, themes, sectors and roles; signing
up and in (``auth``), permission rules, account and admin pages, ``flask create-admin``.
"""
