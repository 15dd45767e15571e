"""Events: activities and everything around them.

``models``; ``registration`` (places, waiting list, guests, workshops, mail links);
``organising`` (life cycle, programme, attendees, exports, organiser forms);
``calendar`` (iCalendar, feeds, web-calendar links); ``notifications`` (the mails);
``views`` (public pages and feeds; ``views.manage``: the organiser pages); ``gdpr``,
``cli``, ``signals`` (blinker, so ``events`` need not import ``forums``) and ``wiring``
(what events registers with the base).
"""
