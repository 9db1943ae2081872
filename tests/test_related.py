"""related.py: TF-IDF cosine over titles and abstracts through an inverted index.

Exactness is checked against a brute-force cosine over every pair; the pruned
search is checked on a 3,000-paper synthetic archive with planted groups of
near-duplicates (each paper's group mates must come first). The run time of
that archive is recorded as the ``related_seconds_3000`` property, never asserted.
"""

from __future__ import annotations

import math
import random
import time

from arxiv_digest.pages import related as R


def brute_force(docs, limit=5, min_score=0.1):
    vecs = R.vectors(docs)
    out = {}
    for pid, vec in vecs.items():
        scores = [(other, sum(w * vecs[other].get(t, 0.0) for t, w in vec.items()))
                  for other in vecs if other != pid]
        scores = [(o, s) for o, s in scores if s >= min_score]
        scores.sort(key=lambda item: (-item[1], item[0]))
        out[pid] = scores[:limit]
    return out


def synthetic(groups: int, per_group: int = 5, seed: int = 7) -> tuple[dict[str, tuple[str, str]], dict[str, int]]:
    """An archive of abstract-like texts: Zipf background words, shared topic words, group signature words."""
    rng = random.Random(seed)
    letters = "bcdfghjklmnprstvz"
    vowels = "aeiou"

    def word() -> str:
        return "".join(rng.choice(letters) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))

    background = list(dict.fromkeys(word() for _ in range(6000)))
    weights = [1 / (rank + 1) for rank in range(len(background))]
    topics = [[word() for _ in range(40)] for _ in range(60)]
    docs, group_of = {}, {}
    for g in range(groups):
        topic = topics[g % len(topics)]
        signature = [word() + "x" for _ in range(8)]  # "x" never ends a background word: unique to the group
        for k in range(per_group):
            pid = f"p{g:04d}-{k}"
            title = " ".join(rng.sample(signature, 3) + rng.sample(topic, 2) + rng.choices(background, weights, k=2))
            abstract = " ".join(rng.choices(background, weights, k=110) + rng.choices(topic, k=25)
                                + rng.choices(signature, k=16))
            docs[pid], group_of[pid] = (title, abstract), g
    items = list(docs.items())
    rng.shuffle(items)  # input order must not matter
    return dict(items), group_of


# ----------------------------------------------------------------------------- text


def test_tokens_drop_stop_words_numbers_and_tex_and_fold_plurals():
    text = r"We propose a novel method: diffusion models with $\mathbf{x}_2$ in 3D scenes, 2024 studies of the classes."
    assert R.tokens(text) == ["diffusion", "model", "3d", "scene", "study", "classe"]
    assert R.tokens("") == [] and R.tokens(None) == []


def test_stem_keeps_words_that_are_not_plurals():
    assert [R.stem(w) for w in ("analysis", "class", "status", "policies", "images", "goes")] == \
           ["analysis", "class", "status", "policy", "image", "goe"]


def test_vectors_are_unit_length_and_ignore_words_in_every_paper():
    docs = {"a": ("Gaussian splatting", "splatting of scenes"), "b": ("Diffusion", "diffusion of scenes"),
            "c": ("Point clouds", "clouds of scenes")}
    vecs = R.vectors(docs)
    for vec in vecs.values():
        assert math.isclose(math.sqrt(sum(v * v for v in vec.values())), 1.0)
        assert "scene" not in vec  # in every paper: idf 0
    assert R.vectors({"only": ("scenes", "scenes")}) == {"only": {}}


# ----------------------------------------------------------------------------- exactness


def test_exhaustive_settings_match_brute_force_cosine():
    docs, _ = synthetic(groups=40, per_group=3, seed=3)
    exact = R.related(docs, limit=5, min_score=0.05, head_terms=10**6, candidates=10**6)  # no pruning
    reference = brute_force(docs, limit=5, min_score=0.05)
    assert exact.keys() == reference.keys()
    for pid in docs:
        assert [o for o, _ in exact[pid]] == [o for o, _ in reference[pid]], pid
        for (_, got), (_, want) in zip(exact[pid], reference[pid]):
            assert math.isclose(got, want, rel_tol=1e-9)


def test_default_settings_score_exactly_what_they_return():
    docs, _ = synthetic(groups=60, per_group=3, seed=5)
    vecs = R.vectors(docs)
    for pid, pairs in R.related(docs).items():
        assert pid not in [o for o, _ in pairs]
        assert [s for _, s in pairs] == sorted((s for _, s in pairs), reverse=True)
        for other, score in pairs:
            assert score >= 0.1
            assert math.isclose(score, sum(w * vecs[other].get(t, 0.0) for t, w in vecs[pid].items()))


def test_threshold_limit_and_ties():
    docs = {"a": ("alpha beta", "gamma"), "b": ("alpha beta", "gamma"), "c": ("alpha beta", "gamma"),
            "d": ("delta epsilon", "zeta"), "e": ("eta theta", "iota")}
    result = R.related(docs, limit=1)
    assert result["a"] == [("b", result["a"][0][1])]  # three identical papers: the tie goes to the smaller id
    assert result["b"][0][0] == "a" and result["c"][0][0] == "a"
    assert result["d"] == [] and result["e"] == []  # nothing in common: nothing related
    assert R.related({}) == {}
    assert R.related({"solo": ("title", "abstract")}) == {"solo": []}
    # (Two papers alone share nothing that counts: a word in every paper has idf 0.)
    triples = [("a", "depth maps", "stereo"), ("b", "depth maps", "stereo"), ("c", "robot arms", "grasping")]
    assert R.related_ids(triples) == {"a": ["b"], "b": ["a"], "c": []}


# ----------------------------------------------------------------------------- an archive of 3,000 papers


def test_three_thousand_papers_find_their_group_mates(record_property):
    docs, group_of = synthetic(groups=600, per_group=5)
    assert len(docs) == 3000
    start = time.perf_counter()
    result = R.related(docs)
    record_property("related_seconds_3000", round(time.perf_counter() - start, 3))
    misses = []
    for pid, pairs in result.items():
        ids = [o for o, _ in pairs]
        mates = {o for o in docs if group_of[o] == group_of[pid] and o != pid}
        assert pid not in ids
        if set(ids[:4]) != mates:
            misses.append(pid)
    assert misses == []


def test_a_corpus_of_few_words_stays_bounded_and_exact():
    """Template-like abstracts (300 words in all): every word is common, postings are long; the budget bounds
    the candidate search and what is returned is still the exact cosine, best first."""
    rng = random.Random(11)
    words = [f"w{i}ord" for i in range(300)]
    docs = {f"p{i}": (" ".join(rng.choices(words, k=8)), " ".join(rng.choices(words, k=150))) for i in range(1500)}
    vecs = R.vectors(docs)
    result = R.related(docs, min_score=0.0)
    for pid, pairs in result.items():
        assert len(pairs) == 5 and pid not in [o for o, _ in pairs]
        assert [s for _, s in pairs] == sorted((s for _, s in pairs), reverse=True)
        for other, score in pairs:
            assert math.isclose(score, sum(w * vecs[other].get(t, 0.0) for t, w in vecs[pid].items()))


def test_related_papers_are_kept_in_the_cache_until_a_text_changes(tmp_path, fixture_store, monkeypatch):
    import json

    from support import copy_store
    from arxiv_digest.pages import views
    from arxiv_digest.pages.site import Site
    from arxiv_digest.config import DigestConfig
    from arxiv_digest.store import Store

    data = copy_store(fixture_store, tmp_path)
    config = DigestConfig()
    config.load_dict({"fetch": "never"})
    assert config.validate()[0] == []
    calls = []
    real = views.similarity.related_ids
    monkeypatch.setattr(views.similarity, "related_ids", lambda *a, **k: calls.append(1) or real(*a, **k))

    def related(cache_dir):
        site = Site(Store(data), config, cache_dir=cache_dir)
        return {pid: [r["id"] for r in p["related"]] for pid, p in site.papers.items()}

    first = related(tmp_path / "cache")
    assert any(first.values()) and len(calls) == 1 and (tmp_path / "cache" / "related.json").is_file()
    assert related(tmp_path / "cache") == first and len(calls) == 1  # from the cache
    assert related(None) == first and len(calls) == 2  # computed again: the cache holds what it would compute
    (tmp_path / "cache" / "related.json").write_text('{"key": "x", "related": []}')
    assert related(tmp_path / "cache") == first and len(calls) == 3  # a stale or damaged cache is ignored
    path = next((data / "papers").glob("*.json"))
    paper = json.loads(path.read_text("utf-8"))
    paper["abstract"] = "Entirely new words about tomatoes and gardening."
    path.write_text(json.dumps(paper), "utf-8")
    related(tmp_path / "cache")
    assert len(calls) == 4  # a changed abstract invalidates it
