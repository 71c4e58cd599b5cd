"""Dispatch rules (C3, C4, C5): which level and which units should handle an event, with the reasons."""
