"""Files the package ships for a site's pages (the cards' CSS, the day page's script, MathJax), served as generated
files.

A site gets them without copying anything: the stylesheet and the day page's script always, and each folder of ``assets/`` (such as
``mathjax/``) whole when the site lists one of its files in ``extra_javascript`` or ``extra_css`` under
``assets/arxiv-digest/``. A whole folder, because a script may load its neighbours at runtime (MathJax
loads ``tex-chtml.js``, ``ui/safe.js`` and its fonts beside ``loader.js``).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.config_options import ExtraScriptValue

ASSETS = Path(__file__).resolve().parent.parent / "assets"
PREFIX = "assets/arxiv-digest/"
CSS_URI = PREFIX + "arxiv-digest.css"
# Scripts earlier versions shipped, which a site made by an older `arxiv-digest init` still lists → what replaces them.
RETIRED = {PREFIX + "mathjax/config.js": PREFIX + "mathjax/loader.js",
           PREFIX + "mathjax/tex-svg-full.js": PREFIX + "mathjax/loader.js"}
# The day page's tag filter and opening of the entry a link points at (progressive: the page works without it).
JS_URI = PREFIX + "arxiv-digest-day.js"


def packaged_assets(referenced: list[str]) -> dict[str, Path]:
    """URI in the site → packaged file, for the stylesheet, the day script and every asset folder ``referenced``
    names."""
    found = {CSS_URI: ASSETS / "arxiv-digest.css", JS_URI: ASSETS / "arxiv-digest-day.js"}
    for uri in referenced:
        if not uri.startswith(PREFIX):
            continue
        folder = ASSETS / uri[len(PREFIX):].split("/", 1)[0]
        if folder.is_dir():
            found.update({PREFIX + path.relative_to(ASSETS).as_posix(): path
                          for path in sorted(folder.rglob("*")) if path.is_file()})
    return found


def deferred(uri: str) -> ExtraScriptValue:
    """``uri`` as an ``extra_javascript`` entry run after the page is parsed (it reads the page's elements)."""
    script = ExtraScriptValue(uri)
    script.defer = True
    return script
