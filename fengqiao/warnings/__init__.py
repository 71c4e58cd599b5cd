"""Early warning (研判预警): patterns across events (E1), risk rules (E2), warnings to the responsible unit (E3)."""
