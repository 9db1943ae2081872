"""arxiv-digest: daily arXiv digests for Material for MkDocs sites."""

__version__ = "0.1.0"
