"""Import legacy Markdown digests (the ones users published before this plugin).

A legacy digest looks like this (every part may be missing or reordered, and
real files vary; see the tests)::

    time: 20260126
    # Arxiv Computer Vision Papers - 2026-01-26
    ## Executive Summary
    ...Markdown...
    ## Table of Contents
    1. [Title](#2601.16982v1)
    ## Papers
    <a id='2601.16982v1'></a>
    ## [Title](https://arxiv.org/abs/2601.16982v1)
    **Authors:** A, B
    **Published:** 2026-01-23
    **Categories:** cs.CV, cs.LG
    **Abstract:**
    ...
    **Analysis:**
    ...Markdown, with its own ## and ### headings and even **Authors:** lines...
    **Key Findings:**
    - ...
    **Links:**
    - [PDF](https://arxiv.org/pdf/2601.16982v1)
    - [arXiv](https://arxiv.org/abs/2601.16982v1)
    ---

:func:`parse_digest` turns the text into a :class:`LegacyDigest` whose papers
are records in the store's JSON format. It never reads files: the caller
passes the text and the path used in messages. Whatever cannot be read is
reported as a :class:`Problem` (file, line, message), never dropped silently.

How paper blocks are found. A block starts at

- an anchor line ``<a id='ID'></a>`` whose id is an arXiv id, or that is
  followed by paper fields (the heading right after it belongs to it), or
- a heading followed by paper fields (``**Authors:**``, ``**Published:**``,
  ``**Categories:**``, ``**Abstract:**``, ``**arXiv ID:**``): the usual
  ``## [Title](https://arxiv.org/abs/ID)`` as well as ``### Paper 3: Title``,

and runs to the next block start or the end of the file. Analyses contain
``##``/``###`` headings of their own: inside an analysis (after an Analysis
label and before Key Findings/Links) a heading starts a new block only if it
also names a paper (links to arXiv, reads "Paper N" or carries an arXiv id).
A heading without fields after it (say a link to a paper in the executive
summary) never starts a block.

How an analysis ends. Analyses echo the paper's fields (``**Authors:**``,
``**Abstract:**`` ...), so inside the analysis only a ``Key Findings`` or
``Links`` label ends it, and of each the *last* one of the block is taken.

The executive summary runs from its heading to the table of contents, the
``## Papers`` heading or the first paper, whichever comes first: its own rules
(``---``) and headings stay in it.
"""

from .digest import LegacyDigest, NotADigest, parse_digest
from .lines import Problem, parse_arxiv_id
from .store_import import import_digests

__all__ = ["Problem", "LegacyDigest", "NotADigest", "parse_digest", "parse_arxiv_id", "import_digests"]
