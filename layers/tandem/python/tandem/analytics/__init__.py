"""HR's analytics: a quarter's (or a year's) program as row tables, the figures drawn from them
with small groups suppressed, and the files HR downloads."""
