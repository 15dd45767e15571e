"""Privacy rights (GDPR): a member's data export and account deletion, the retention
purge (``flask purge``) and the privacy statement. Features register their parts
(``community.core.features``).
"""
