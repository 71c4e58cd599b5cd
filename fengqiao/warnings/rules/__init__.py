"""Risk rules (E2): a declarative, versioned YAML rule set — schema, store of versions, evaluator and dry run."""
