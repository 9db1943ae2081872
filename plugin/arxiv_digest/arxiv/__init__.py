"""arXiv: the announcement-day rule, identifiers, the API source and full text."""
