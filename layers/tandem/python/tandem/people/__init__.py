"""Who takes part: the roster HR uploads, what a person does from their links (sign up, profile,
pause, leave), and erasure.
"""
