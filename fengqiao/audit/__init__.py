"""The audit trail of access (D6): who viewed which sensitive record, who logged in — beside each event's timeline."""
