"""Fengqiao (枫桥): county-level grassroots social governance."""

__version__ = "0.1.0"
