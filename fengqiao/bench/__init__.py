"""Benchmarks (`fengqiao bench …`): each measures one job on this machine and prints a naive baseline beside it."""
