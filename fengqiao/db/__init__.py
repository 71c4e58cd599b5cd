"""Storage: one schema and one code path for SQLite (embedded) and PostgreSQL (production)."""
