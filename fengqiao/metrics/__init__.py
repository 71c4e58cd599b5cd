"""Metrics: every number a screen, an API or a report shows is computed here, once."""
