"""Full text of a paper for the LLM: arXiv's HTML rendering first, else the PDF, trimmed by sections.

The HTML at ``https://arxiv.org/html/{id}v{version}`` is LaTeXML output: top-level
``<section class="ltx_section">`` (``ltx_appendix``, ``ltx_bibliography``) with an
``<h2 class="ltx_title ...">``, ``<div class="ltx_abstract">``, ``<math alttext="...">``.
When it is missing (404), broken or nearly empty, the PDF's text layer (pypdf) is split
into sections at heading lines instead. :func:`trim` then fits the sections into a token
budget: abstract, introduction, method, experiments and conclusion first; references,
acknowledgements and appendices only with budget to spare.
"""

from .fetch import fetch_full_text
from .html import extract_html
from .pdf import extract_pdf
from .sections import FullText, FullTextError, Section, classify, estimate_tokens
from .trim import trim

__all__ = ["FullText", "FullTextError", "Section", "classify", "estimate_tokens", "extract_html", "extract_pdf",
           "fetch_full_text", "trim"]
