"""Forums: discussion per theme, threads and posts.

``models``; ``posting`` (writing, with the personal-data guard of ``pii_guard``);
``moderation``, ``subscriptions``, ``notifications``, ``search``, ``activity`` (a
thread per published activity); ``views`` (threads, posting, moderation,
subscriptions); ``gdpr``, ``cli`` and ``wiring`` (what the forums register with the base).
"""
