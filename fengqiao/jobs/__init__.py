"""Database-backed jobs and timers, run by ``fengqiao worker``.

Background work (deadlines, escalations, reminders, scans, reports) is a row in ``jobs`` written in the same
transaction as the business change that asks for it, so a job exists iff that change committed and nothing is lost
when a process dies. ``service`` schedules, cancels and reschedules; ``registry`` maps a job's ``kind`` to its
handler; ``worker`` claims due jobs under a lease and runs them; ``auditor`` proves that timers fire.
"""
