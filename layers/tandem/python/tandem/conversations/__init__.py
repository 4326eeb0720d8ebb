"""A group's quarter: the slot and sessions, calendar invitations, reminders, feedback after each
session and the end-of-quarter pulse.
"""
