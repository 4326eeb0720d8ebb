"""Quarterly matching: the engine (pure), the daily schedule that drives a quarter, and one
band's run, stored and announced.
"""
