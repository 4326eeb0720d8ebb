"""HR's analytics: a quarter's (or a year's) program as tables, the figures drawn from them,
hidden wherever they would give away anyone's answers, and the files HR downloads: figures
and the rows running the program needs, never an answer."""
