"""The risk taxonomy (C1): 16 top-level categories, their subcategories and the tag vocabulary, as data."""

from fengqiao.triage.taxonomy.schema import (
    RISK_ORDER,
    TOP_CODES,
    Category,
    Subcategory,
    Tag,
    Taxonomy,
    TaxonomyError,
    default_taxonomy,
    load_taxonomy,
    max_risk,
)

__all__ = [
    "RISK_ORDER",
    "TOP_CODES",
    "Category",
    "Subcategory",
    "Tag",
    "Taxonomy",
    "TaxonomyError",
    "default_taxonomy",
    "load_taxonomy",
    "max_risk",
]
