"""The mail outbox: ``outbox`` (queue in the request's transaction, deliver with retries),
``models`` (the ``outbox_messages`` table) and ``cli`` (``flask send-mail``).
"""
