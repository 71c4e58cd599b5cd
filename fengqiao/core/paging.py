"""Page arithmetic shared by the lists of the API and the work pages."""

from __future__ import annotations


def page_count(total: int, size: int) -> int:
    """How many pages of ``size`` hold ``total`` rows; an empty list still shows one (empty) page."""
    return max(1, -(-total // size))
