"""Responsibility lists (属地事项清单, C5): which department owns which category of matter where."""
