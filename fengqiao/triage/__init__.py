"""Triage (A4, C1–C5): address matching, geo-routing, classification and the dispatch rules."""
