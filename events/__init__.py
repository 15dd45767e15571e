"""Events: activities, programme, registrations and calendar feeds."""
