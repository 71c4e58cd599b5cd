"""Standard address matching (A4): free-text address → building and room of the base data.

Parse first (parse.py), then look the parts up in dictionaries built from the base data (index.py, match.py);
fuzzy matching is used only to correct a road or village name among the few of its town.
"""
