"""Use cases. The only code that commits, and every change writes an audit event.

Service functions are handed their collaborators (session, clock, actor, mailer); they never
reach for Flask's globals, so the CLI, the scheduler and tests call them the same way.
"""
