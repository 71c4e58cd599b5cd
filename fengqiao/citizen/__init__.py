"""Citizen reporting (市域共治码): place codes, reports without an account, abuse guard."""
