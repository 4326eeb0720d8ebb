"""The method's rhythm, which the calendar, the plans and the guides all follow: five
conversations a quarter, two weeks apart."""

from datetime import timedelta

SESSIONS = 5
SESSION_INTERVAL = timedelta(weeks=2)
