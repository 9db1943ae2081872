"""A paper's BibTeX entry in arXiv's own style (the "Export BibTeX Citation" of its abstract pages):

    @misc{vaswani2017attention,
          title={Attention Is All You Need},
          author={Ashish Vaswani and Noam Shazeer},
          year={2017},
          eprint={1706.03762},
          archivePrefix={arXiv},
          primaryClass={cs.CL},
          url={https://arxiv.org/abs/1706.03762},
    }

The key is the first author's last name, the year and the title's first word, in lowercase ASCII. Field values
are LaTeX: arXiv titles are written in TeX already, so their math (``$...$``) and commands (``\\emph{x}``, ``\\&``)
stay as they are, while the rest goes through latexcodec (``&`` → ``\\&``, ``%`` → ``\\%``, ``é`` → ``\\'e``);
braces are balanced, as BibTeX counts every brace, escaped or not.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import latexcodec  # noqa: F401  (registers the "ulatex" codec)

from ..model import Paper

# TeX already in the text, kept verbatim: inline math, a command, an escaped character.
_VERBATIM = re.compile(r"(\$[^$]+\$|\\[A-Za-z]+\*?|\\[^A-Za-z])")
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def escape(text: str) -> str:
    """``text`` as a BibTeX field value in LaTeX; non-Latin scripts (CJK) stay Unicode."""
    parts = _VERBATIM.split(" ".join(text.split()))
    for i in range(0, len(parts), 2):
        # Outside math and commands: a lone "$" is a dollar sign; "keep" leaves what LaTeX has no name for.
        parts[i] = codecs.encode(parts[i], "ulatex", "keep").replace("$", "\\$")
    return _balance("".join(parts))


def _balance(text: str) -> str:
    """``text`` without the braces that have no partner (an unbalanced field breaks the whole entry)."""
    out: list[str] = []
    opened: list[int] = []
    for char in text:
        if char == "}":
            if not opened:
                continue
            opened.pop()
        elif char == "{":
            opened.append(len(out))
        out.append(char)
    for index in reversed(opened):
        del out[index]
    return "".join(out)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def cite_key(paper: Paper) -> str:
    """arXiv's key: first author's last name, year, first word of the title (``smith2026learning``)."""
    authors = paper.get("authors") or []
    words = [w for w in (authors[0].split() if authors else []) if w.lower() not in _SUFFIXES]
    last = _ascii_word(words[-1]) if words else ""
    title = re.sub(r"\$[^$]*\$|\\[A-Za-z]+", " ", paper.get("title") or "")
    first = next((w for w in map(_ascii_word, title.split()) if w), "")
    return f"{last or 'anonymous'}{_year(paper)}{first}"


def _year(paper: Paper) -> str:
    return (paper.get("published") or "")[:4]


def _author(name: str) -> str:
    name = escape(name)
    # " and " separates authors in BibTeX: a name holding it (a consortium) is kept whole in braces.
    return f"{{{name}}}" if re.search(r"\sand\s", name, re.I) else name


def entry(paper: Paper) -> str:
    """The paper's ``@misc`` entry, as arXiv exports it."""
    fields = [("title", escape(paper.get("title") or "")),
              ("author", " and ".join(_author(a) for a in paper.get("authors") or [])),
              ("year", _year(paper)),
              ("eprint", paper["id"]),
              ("archivePrefix", "arXiv"),
              ("primaryClass", paper.get("primary_category") or (paper.get("categories") or [""])[0]),
              ("url", f"https://arxiv.org/abs/{paper['id']}")]
    lines = [f"      {name}={{{value}}}," for name, value in fields if value]
    return "\n".join([f"@misc{{{cite_key(paper)},", *lines, "}"])
