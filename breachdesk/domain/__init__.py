"""breachdesk's legal and business rules, free of any framework.

Nothing in this package imports Flask or SQLAlchemy, and nothing here reads the system clock:
the current time is always passed in as an aware UTC ``datetime`` named ``now``. That keeps
the rules testable on their own and readable by someone who is not a programmer.
"""
