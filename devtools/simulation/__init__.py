"""A synthetic company played through the real pages and schedules: the population, the browser,
the program year and the demo.
"""
