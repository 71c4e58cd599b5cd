"""The synthetic Wenling: a deterministic demo county (jurisdiction, people on duty, base data) built from a seed."""
