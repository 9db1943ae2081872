"""arxiv-digest: daily arXiv digests for Material for MkDocs sites."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mkdocs-arxiv-digest")  # set from the git tag at build time (setuptools-scm)
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0.0.0"
