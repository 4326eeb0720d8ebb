"""How things look to people: Jinja2 templates for pages, email and the report, and CSV cells that
are safe in a spreadsheet.
"""
