"""Calendars: iCalendar output (``ical``), the subscription feeds (``feeds``) and the
web-calendar links (``links``).
"""
