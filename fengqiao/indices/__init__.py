"""Governance indices (F2): the county governance index, the grid-worker health index and the grid-team performance
index — configuration as data (``indices.toml``), pure scoring, measures read from the database, monthly history."""
