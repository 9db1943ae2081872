"""Sections of arXiv's HTML rendering (LaTeXML): math as TeX, figures and navigation dropped."""

from __future__ import annotations

import re

from lxml import etree

from .sections import Section, classify

_PARA, _LINE = "\x00", "\x01"
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "aside", "figure", "figcaption", "ul", "ol", "dl",
               "dt", "dd", "table", "tbody", "thead", "tfoot", "tr", "caption", "blockquote", "pre", "hr",
               "address", "details", "summary"} | _HEADINGS
_DROP_TAGS = {"script", "style", "noscript", "nav", "footer", "header", "button", "form", "input", "select",
              "textarea", "img", "svg", "picture", "video", "audio", "canvas", "object", "embed", "iframe",
              "map", "template", "link", "meta", "head", "title"}
_DROP_CLASSES = {"ltx_tabular", "ltx_page_navbar", "ltx_page_footer", "ltx_page_header", "ltx_TOC",
                 "ltx_page_logo", "ltx_note_mark", "ltx_tag_note", "ltx_note_type", "ltx_rdf", "ltx_graphics",
                 "package-alerts", "sr-only", "ltx_pagination"}
_FRONT_CLASSES = {"ltx_title_document", "ltx_authors", "ltx_dates", "ltx_date", "ltx_keywords",
                  "ltx_classification", "ltx_subtitle", "ltx_document_title"}
_EQUATION_CLASSES = {"ltx_equation", "ltx_equationgroup", "ltx_eqn_table"}
_UNIT_CLASSES = {"ltx_section", "ltx_appendix", "ltx_bibliography", "ltx_acknowledgements", "ltx_abstract"}
_SUB_CLASSES = {"ltx_subsection", "ltx_subsubsection", "ltx_paragraph", "ltx_subparagraph"}
_FIXED_KIND = {"ltx_abstract": ("abstract", "Abstract"), "ltx_bibliography": ("references", "References"),
               "ltx_acknowledgements": ("acknowledgements", "Acknowledgements")}


def _tag(el: etree._Element) -> str:
    return etree.QName(el).localname.lower() if isinstance(el.tag, str) else ""


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split()) if isinstance(el.tag, str) else set()


def _dropped(el: etree._Element) -> bool:
    tag = _tag(el)
    if not tag or tag in _DROP_TAGS:
        return True
    classes = _classes(el)
    if classes & _DROP_CLASSES:
        return True
    return tag == "table" and not classes & _EQUATION_CLASSES


def _math(el: etree._Element) -> str:
    alt = el.get("alttext")
    if alt is None:
        tex = [a for a in el.iter() if _tag(a) == "annotation" and a.get("encoding") == "application/x-tex"]
        alt = (tex[0].text or "") if tex else "".join(el.itertext())
    alt = " ".join(alt.split())
    alt = re.sub(r"^\\displaystyle\b\s*", "", alt)
    return f"${alt}$" if alt else ""


def _render(el: etree._Element, out: list[str], inline: bool = False, skip: etree._Element | None = None) -> None:
    """Append ``el``'s children (not ``el`` itself, nor its tail) as text with block markers."""
    if el.text:
        out.append(el.text)
    for child in el:
        if child is not skip and not _dropped(child):
            _render_element(child, out, inline)
        if child.tail:
            out.append(child.tail)


def _render_element(el: etree._Element, out: list[str], inline: bool) -> None:
    tag, classes = _tag(el), _classes(el)
    if tag == "math":
        text = _math(el)
        block = el.get("display") == "block" and not inline and not any(
            _tag(a) in ("td", "th") for a in el.iterancestors())  # equation tables: one row, one paragraph
        out.extend([_PARA, text, _PARA] if block else [text])
    elif tag == "br":
        out.append(" ")
    elif "ltx_note" in classes:  # footnote: mark dropped, content inline in brackets
        contents = [d for d in el.iter() if "ltx_note_content" in _classes(d)]
        if contents:
            note = _collapse(_inline_text(contents[0]))
            if note:
                out.append(f" [footnote: {note}]")
    elif tag in _HEADINGS:
        title = _collapse(_inline_text(el))
        if not title:
            return
        if inline or "ltx_runin" in classes:
            out.append(f" **{title}** ")
        else:
            out.extend([_PARA, "#" * int(tag[1]) + " " + title, _PARA])
    elif tag == "li":
        has_tag = any("ltx_tag" in _classes(c) for c in el)
        out.append(" " if inline else _LINE + ("" if has_tag else "- "))
        _render(el, out, inline=True)
        out.append(" " if inline else _LINE)
    elif "ltx_listingline" in classes and not inline:
        out.append(_LINE)
        _render(el, out, inline=True)
        out.append(_LINE)
    elif tag in _BLOCK_TAGS:
        out.append(" " if inline else _PARA)
        _render(el, out, inline)
        out.append(" " if inline else _PARA)
    else:
        _render(el, out, inline)


def _inline_text(el: etree._Element, skip: etree._Element | None = None) -> str:
    out: list[str] = []
    _render(el, out, inline=True, skip=skip)
    return "".join(out)


def _collapse(text: str) -> str:
    return " ".join(text.replace(_PARA, " ").replace(_LINE, " ").split())


def _paragraphs(raw: str) -> str:
    paragraphs = []
    for part in raw.split(_PARA):
        lines = [" ".join(line.split()) for line in part.split(_LINE)]
        lines = [line for line in lines if line and line != "-"]
        if not lines or re.fullmatch(r"#+", lines[0]):
            continue
        if paragraphs and re.fullmatch(r"\*\*[^\n]*\*\*", paragraphs[-1]):  # run-in heading + its text
            paragraphs[-1] += " " + lines[0]
            lines = lines[1:]
            if not lines:
                continue
            paragraphs[-1] += "".join("\n" + line for line in lines)
        else:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _heading_of(el: etree._Element) -> etree._Element | None:
    for child in el:
        if _tag(child) in _HEADINGS or "ltx_title" in _classes(child):
            return child
    return None


def _title(el: etree._Element, default: str = "") -> str:
    heading = _heading_of(el)
    title = _collapse(_inline_text(heading)) if heading is not None else ""
    return title.rstrip(" .:") or default


def _detach(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _unit_sections(el: etree._Element, kind: str | None = None) -> list[Section]:
    """One section for a LaTeXML unit, plus the acknowledgements/bibliography nested in it."""
    classes = _classes(el)
    nested = [d for d in el.iterdescendants() if isinstance(d.tag, str) and not _dropped(d) and (
        _classes(d) & {"ltx_bibliography", "ltx_acknowledgements"}
        or (_classes(d) & _SUB_CLASSES and classify(_title(d)) == "acknowledgements"))]
    nested = [d for d in nested if not any(o is not d and o in d.iterancestors() for o in nested)]
    for inner in nested:
        _detach(inner)
    fixed = next((_FIXED_KIND[c] for c in classes if c in _FIXED_KIND), None)
    title = _title(el, fixed[1] if fixed else "")
    if kind is None:
        if fixed:
            kind = fixed[0]
        else:
            kind = classify(title)
            if "ltx_appendix" in classes and kind not in ("references", "acknowledgements"):
                kind = "appendix"
    out: list[str] = []
    _render(el, out, skip=_heading_of(el))
    sections = [Section(title, _paragraphs("".join(out)), kind)]
    for inner in nested:
        inner_kind = "references" if "ltx_bibliography" in _classes(inner) else "acknowledgements"
        sections.extend(_unit_sections(inner, inner_kind))
    return [s for s in sections if s.text or s.kind != "other"]


def _parse_html(html: bytes | str) -> etree._Element | None:
    if isinstance(html, str):
        html = html.encode("utf-8")
        encoding = "utf-8"
    else:
        head = html[:4096]
        match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", head, re.IGNORECASE)
        encoding = match.group(1).decode("ascii").lower() if match else "utf-8"
        if html.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
    try:
        parser = etree.HTMLParser(encoding=encoding, remove_comments=True, no_network=True)
    except LookupError:
        parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
    try:
        return etree.fromstring(html, parser)
    except (etree.LxmlError, ValueError, LookupError):
        return None


def extract_html(html: bytes | str) -> list[Section]:
    """Sections of an arXiv (LaTeXML) HTML page in the paper's order.

    Math becomes its ``alttext`` in ``$...$``; images, navigation, headers and footers
    are dropped, tables keep only their captions; subsection headings stay as
    ``###`` lines. Body text outside any section becomes untitled ``other`` sections.
    """
    root = _parse_html(html)
    if root is None:
        return []
    # arXiv wraps LaTeXML's <article class="ltx_document"> in a page whose alerts box and
    # footer carry "ltx_document" too; older renderings use <div class="ltx_document">.
    candidates = [el for el in root.iter() if "ltx_document" in _classes(el) and not _dropped(el)]
    candidates.sort(key=lambda el: _tag(el) != "article")
    doc = next((el for el in candidates if any(_classes(d) & _UNIT_CLASSES for d in el.iter())), None)
    if doc is None:
        bodies = [el for el in root.iter() if _tag(el) == "body"]
        doc = bodies[0] if bodies else root
    units = [el for el in doc.iter() if isinstance(el.tag, str) and _classes(el) & _UNIT_CLASSES
             and not any(_dropped(a) for a in el.iterancestors())]
    unit_set = set(units)
    wrappers = {a for u in units for a in u.iterancestors()}
    sections: list[Section] = []
    loose: list[str] = []

    def flush() -> None:
        text = _paragraphs("".join(loose))
        loose.clear()
        if text:
            sections.append(Section("", text, "other"))

    def walk(el: etree._Element) -> None:
        for child in el:
            if _dropped(child) or _classes(child) & _FRONT_CLASSES:
                continue
            if child in unit_set:
                flush()
                sections.extend(_unit_sections(child))
            elif child in wrappers:
                walk(child)
            else:
                _render_element(child, loose, False)
                if child.tail:
                    loose.append(child.tail)

    walk(doc)
    flush()
    return sections
