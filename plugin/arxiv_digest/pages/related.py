"""Related papers: TF-IDF over titles and abstracts, cosine similarity through an inverted index.

Every paper is a bag of English words (lower case, stop words and TeX commands
dropped, plurals folded by Harman's S-stemmer); the title counts twice. A
word's weight is ``(1 + ln tf) · ln(N / df)`` and each vector is L2-normalised,
so the dot product of two vectors is their cosine.

Scoring every pair over full vectors would be O(n²·words). Instead each paper
keeps its ``head_terms`` heaviest words in an inverted index (word → papers
having it among their heaviest). Looking a paper's own heavy words up in it,
rarest first and within a budget of postings, gives candidates with a partial
dot product (a lower bound of the cosine); the best ``candidates`` of them are
then scored exactly, over all the words they share, by a sparse dot product.
Heavy words are the rare, specific ones, so the postings stay short; the budget
bounds the work when they are not (a corpus written from a few hundred words).
On 3,000 abstracts this takes about a second of pure Python and finds ~90-95 %
of the exact top 5 (the rest are near ties).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from operator import itemgetter, mul

# English function words, plus words every abstract uses whatever its topic.
STOP_WORDS = frozenset("""
a about above across after again against all almost along already also although always am among an and another
any anyone anything are around as at be became because become becomes been before being below between both but
by can cannot could did do does doing done down during each either else enough etc even ever every few for from
further had has have having he her here hers herself him himself his how however i if in into is it its itself
just least less like made make makes making many may me might more most much must my myself near nearly neither
never no nor not now of off often on once one only onto or other others our ours ourselves out over own per
perhaps rather same several she should since so some such than that the their theirs them themselves then there
these they this those though through thus to too toward towards under until up upon us very via was we well were
what whatever when where whether which while who whom whose why will with within without would yet you your
yours yourself
abstract achieve achieves achieved address addresses approach approaches based demonstrate demonstrates
demonstrated design designed different effective effectively existing experiment experimental experiments
extensive furthermore github http https introduce introduces key lead leads method methods moreover new novel
paper particular present presents previous problem propose proposed proposes provide provides recent recently
result results show shows shown significant significantly state study superior task tasks use used uses using
various work works www com org
""".split())

WORD_RE = re.compile(r"[a-z0-9]+")
TEX_RE = re.compile(r"\\[A-Za-z]+")  # \mathbf, \alpha: markup, not topic


def stem(word: str) -> str:
    """Harman's S-stemmer: fold regular English plurals ("models" → "model", "studies" → "study")."""
    if len(word) > 4 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("us", "ss", "is")):
        return word[:-1]
    return word


_STEMS: dict[str, str] = {}  # word → its stem, or "" for a word not worth matching (cached: words repeat)


def tokens(text: str | None) -> list[str]:
    """Words of an English text worth matching on: no stop words, no numbers, no one-letter words."""
    words = WORD_RE.findall(TEX_RE.sub(" ", text or "").lower())
    for word in set(words).difference(_STEMS):
        keep = len(word) > 1 and not word.isdigit() and word not in STOP_WORDS
        _STEMS[word] = stem(word) if keep else ""
    return list(filter(None, map(_STEMS.__getitem__, words)))


def vectors(docs: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, float]]:
    """Paper id → L2-normalised TF-IDF vector of ``(title, abstract)``; the title counts twice."""
    counts = [(pid, Counter(tokens(title) * 2 + tokens(abstract))) for pid, (title, abstract) in docs.items()]
    df: Counter[str] = Counter()
    for _, c in counts:
        df.update(c.keys())
    n = len(counts)
    idf = {word: math.log(n / d) for word, d in df.items() if d < n}  # a word in every paper tells nothing
    tf_weight = [0.0] + [1 + math.log(tf) for tf in range(1, 64)]
    out: dict[str, dict[str, float]] = {}
    for pid, c in counts:
        vec = {w: (tf_weight[tf] if tf < 64 else 1 + math.log(tf)) * idf[w] for w, tf in c.items() if w in idf}
        norm = math.hypot(*vec.values())
        out[pid] = dict(zip(vec, map((1 / norm).__mul__, vec.values()))) if norm else {}
    return out


def related(docs: Mapping[str, tuple[str, str]], limit: int = 5, min_score: float = 0.1,
            head_terms: int = 20, candidates: int = 10, budget: int = 600) -> dict[str, list[tuple[str, float]]]:
    """Paper id → up to ``limit`` (other id, cosine) pairs scoring at least ``min_score``, best first.

    ``docs`` maps a paper id to its (title, abstract). Candidates come from
    the inverted index of every paper's ``head_terms`` heaviest words, rarest
    first, until ``budget`` postings have been read (real abstracts rarely get
    there; a corpus of a few hundred words would otherwise be quadratic); the
    ``candidates`` best of them by that partial dot product are scored
    exactly. Ties go to the smaller id, so results do not depend on order.
    """
    vecs = vectors(docs)
    heads: dict[str, list[tuple[str, float]]] = {}
    index: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for pid, vec in vecs.items():
        heads[pid] = head = sorted(vec.items(), key=itemgetter(1), reverse=True)[:head_terms]
        for word, weight in head:
            index[word].append((pid, weight))

    out: dict[str, list[tuple[str, float]]] = {}
    for pid, vec in vecs.items():
        partial: dict[str, float] = {}
        get = partial.get
        spent = 0
        for word, weight in sorted(heads[pid], key=lambda item: len(index[item[0]])):
            postings = index[word]
            if len(postings) < 2:
                continue  # only this paper
            if spent and spent + len(postings) > budget:
                break
            spent += len(postings)
            for other, other_weight in postings:
                partial[other] = get(other, 0.0) + weight * other_weight
        partial.pop(pid, None)
        best = heapq.nlargest(candidates, partial, key=partial.__getitem__)
        scored = [(other, score) for other, score in ((o, _dot(vec, vecs[o])) for o in best) if score >= min_score]
        scored.sort(key=lambda item: (-item[1], item[0]))
        out[pid] = scored[:limit]
    return out


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    """Sparse dot product: only the shared words, found by a set intersection (in C)."""
    shared = a.keys() & b.keys()
    return sum(map(mul, map(a.__getitem__, shared), map(b.__getitem__, shared)))


def related_ids(papers: Iterable[tuple[str, str, str]], **options: float) -> dict[str, list[str]]:
    """``(id, title, abstract)`` triples → id → related ids, best first (see :func:`related`)."""
    result = related({pid: (title, abstract) for pid, title, abstract in papers}, **options)
    return {pid: [other for other, _ in pairs] for pid, pairs in result.items()}
