"""Which links of a paper lead to its code or its project page: one rule for papers fetched from arXiv and papers
imported, and for how the pages label them."""

from __future__ import annotations

import re
from collections.abc import Iterator

# Hosts of code, models and project pages: a link there is a code link wherever it appears.
CODE_HOSTS = re.compile(
    r"^(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|hf\.co|bitbucket\.org|codeberg\.org|"
    r"[\w-]+\.github\.io|[\w-]+\.gitlab\.io|gitee\.com|sourceforge\.net|colab\.research\.google\.com)$",
    re.I,
)
# Words that announce a code link on any other host ("Code: https://...", "project page at https://...").
CODE_CONTEXT = re.compile(
    r"\b(?:code|codes|project|page|website|homepage|repo|repository|github|implementation|demo|models?)\b", re.I)
# A project page rather than code: a site on a pages host, or a link announced as a page ("Project page:").
PAGES_HOSTS = re.compile(r"^[\w-]+\.(?:github|gitlab)\.io$", re.I)
PROJECT_CONTEXT = re.compile(
    r"\b(?:project\s+(?:page|website|site)|web\s*page|website|homepage|home\s+page)\b", re.I)
URL_RE = re.compile(r"https?://[^\s<>\"'`{}\[\]，。；：！？、（）「」]+", re.I)
URL_TRAIL = ".,;:!?)]}'\"*_>。，；：！？）】」』`\\"


def clean_url(url: str) -> str:
    """A URL without the punctuation of the sentence around it."""
    return url.rstrip(URL_TRAIL)


def host_of(url: str) -> str | None:
    match = re.match(r"https?://([^/:?#]+)", url, re.I)
    return match.group(1) if match else None


def on_code_host(url: str) -> bool:
    host = host_of(url)
    return bool(host and CODE_HOSTS.match(host))


def code_links(*texts: str | None) -> list[str]:
    """Code URLs mentioned in ``texts`` (an abstract, a comment), in order, each once.

    A URL counts when its host is a code host or the words just before it announce code;
    arXiv and DOI links never count."""
    return dedupe_urls([url for url, _ in _announced(texts)])


def project_pages(urls: list[str], *texts: str | None) -> list[str]:
    """The project pages among a paper's code links ``urls`` (found in ``texts``, its abstract and comment):
    sites on a pages host (``*.github.io``), and links on other hosts than code's announced as a page."""
    announced = {_key(url) for url, before in _announced(texts) if PROJECT_CONTEXT.search(before)}
    out = []
    for url in urls:
        host = host_of(url) or ""
        if PAGES_HOSTS.match(host) or (_key(url) in announced and not CODE_HOSTS.match(host)):
            out.append(url)
    return out


def _announced(texts: tuple[str | None, ...]) -> Iterator[tuple[str, str]]:
    """(URL, the words that introduce it) of each code or project link in ``texts``.

    A URL counts when its host is a code host or the words just before it announce code;
    arXiv and DOI links never count."""
    for text in texts:
        previous = 0
        text = re.sub(r"\\url\{([^}]*)\}", r" \1 ", text or "")
        for match in URL_RE.finditer(text):
            # what introduces this URL: the text since the previous URL or sentence
            before = text[max(previous, match.start() - 160): match.start()]
            before = re.split(r"(?<=[.!?。！？])\s+", before)[-1]
            previous = match.end()
            url = clean_url(match.group(0))
            host = (host_of(url) or "").lower()
            if not host or "arxiv.org" in host or "doi.org" in host:
                continue
            if CODE_HOSTS.match(host) or CODE_CONTEXT.search(before):
                yield url, before


def _key(url: str) -> str:
    """What two spellings of one URL share (scheme, ``www.``, case and a final slash aside)."""
    return re.sub(r"^https?://(www\.)?", "", url.lower()).rstrip("/")


def dedupe_urls(urls: list[str]) -> list[str]:
    """``urls`` in order, without repeats that differ only in scheme, ``www.``, case or a final slash."""
    seen, out = set(), []
    for url in urls:
        key = _key(url)
        if key not in seen:
            seen.add(key)
            out.append(url)
    return out
