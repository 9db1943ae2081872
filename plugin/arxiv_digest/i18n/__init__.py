"""The texts of each language, one file per language (``i18n/<lang>.yml``), and the character ranges of CJK text.

A section title, a label or a date format is one line of ``zh.yml`` or ``en.yml``: the prompts, the checks of
the answers, the offline analyzer and the pages all read it from here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("zh", "en")

# Han ideographs (the unified block and Extension A): what tells Chinese text (language checks of answers,
# keywords matched without word boundaries, tag slugs).
HAN = "\u3400-\u9fff"
HAN_RE = re.compile(f"[{HAN}]")
# Every wide CJK character (Han, kana, hangul, CJK punctuation, fullwidth forms): what a tokenizer counts
# about one token each, for full-text budgets.
WIDE = ("\u1100-\u11ff\u2e80-\u2fdf\u2ff0-\u303f\u3040-\u309f\u30a0-\u30ff\u3100-\u318f\u3190-\u31ff"
        "\u3200-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
        "\U00020000-\U0003134f")
WIDE_RE = re.compile(f"[{WIDE}]")


@lru_cache(maxsize=None)
def texts(language: str) -> dict[str, Any]:
    """Everything ``<language>.yml`` holds: ``sections``, ``summary_date``, ``offline`` and ``labels``."""
    return yaml.safe_load((Path(__file__).parent / f"{language}.yml").read_text(encoding="utf-8"))


def labels(language: str) -> dict[str, str]:
    """Labels of the generated pages."""
    return texts(language)["labels"]


def sections(language: str, kind: str) -> list[str]:
    """Section titles of an analysis (``full``, from the full text; ``abstract``) or of a day's ``summary``."""
    return texts(language)["sections"][kind]


def summary_date(iso: str, language: str) -> str:
    """A digest date as the day's summary writes it (``2026 年 2 月 18 日``)."""
    year, month, day = (int(x) for x in iso.split("-"))
    return texts(language)["summary_date"].format(year=year, month=month, day=day, iso=iso)


_LATIN_RE = re.compile(r"[A-Za-z]")


def text_lang(text: str | None, site_language: str) -> str | None:
    """``en`` for English text (no Han, some Latin letters) on a page of another language, so that screen
    readers read it with an English voice (``lang="en"``); None when the page's own language fits."""
    if site_language == "en" or not text or HAN_RE.search(text) or not _LATIN_RE.search(text):
        return None
    return "en"
