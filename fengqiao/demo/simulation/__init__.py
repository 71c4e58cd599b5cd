"""A simulated stretch of county life driven through the real services (intake, triage, the closed loop, timers)."""
