"""Linking: which parties are one person or organisation, which places one place, which texts one matter."""
