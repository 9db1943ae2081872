"""Which links of a paper lead to its code: one rule for papers fetched from arXiv and papers imported."""

from __future__ import annotations

import re

# Hosts of code, models and project pages: a link there is a code link wherever it appears.
CODE_HOSTS = re.compile(
    r"^(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|hf\.co|bitbucket\.org|codeberg\.org|"
    r"[\w-]+\.github\.io|[\w-]+\.gitlab\.io|gitee\.com|sourceforge\.net|colab\.research\.google\.com)$",
    re.I,
)
# Words that announce a code link on any other host ("Code: https://...", "project page at https://...").
CODE_CONTEXT = re.compile(
    r"\b(?:code|codes|project|page|website|homepage|repo|repository|github|implementation|demo|models?)\b", re.I)
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
    found: list[str] = []
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
                found.append(url)
    return dedupe_urls(found)


def dedupe_urls(urls: list[str]) -> list[str]:
    """``urls`` in order, without repeats that differ only in scheme, ``www.``, case or a final slash."""
    seen, out = set(), []
    for url in urls:
        key = re.sub(r"^https?://(www\.)?", "", url.lower()).rstrip("/")
        if key not in seen:
            seen.add(key)
            out.append(url)
    return out
