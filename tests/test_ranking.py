"""Choosing what matters: keyword/author/negative-keyword ranking, LLM relevance, site hooks."""

from __future__ import annotations

import json
import re
import textwrap

from support import (FIXTURE_DATES, arxiv_requests, build_site, cli, digest_options, fixture_papers, newest_first,
                     write_site)
from fake_arxiv import FakeArxiv
from fake_openai import FakeOpenAI, Reply

from arxiv_digest.analysis.ranking import normalise_name, rank, score

DAY = "2026-02-18"


def stored(root, date=DAY):
    return json.loads((root / "data" / "days" / f"{date}.json").read_text(encoding="utf-8"))


def stored_paper(root, pid):
    return json.loads((root / "data" / "papers" / f"{pid}.json").read_text(encoding="utf-8"))


def titles(date=DAY):
    return {p.id: p.title for p in fixture_papers()[date]}


def containing(word, date=DAY):
    return [p.id for p in fixture_papers()[date] if word.lower() in f"{p.title} {p.abstract}".lower()]


def test_names_are_normalised():
    assert normalise_name("He, Kaiming") == normalise_name("KAIMING  HE") == normalise_name("Kaimíng He")
    assert score({"title": "", "abstract": "", "authors": ["Kaiming He"]}, {}, ["K. He"], 5)["score"] == 5
    assert score({"title": "", "abstract": "", "authors": ["Kai He"]}, {}, ["Kaiming He"], 5)["score"] == 0


def test_keywords_match_whole_words_any_case_and_chinese():
    paper = {"title": "Gaussian Splatting for SLAM", "abstract": "我们研究三维重建。 Diffusion-free.", "authors": []}
    got = score(paper, {"gaussian splatting": 3, "slam": 1, "lam": 10, "三维重建": 2, "diffusion": 1}, [], 5)
    # 'lam' is not a whole word in SLAM; a word of a hyphenated compound ('Diffusion-free') is a word. A keyword in
    # the title counts twice its weight (3 × 2 + 1 × 2), in the abstract once (2 + 1).
    assert got["score"] == 11 and got["reasons"] == ["gaussian splatting", "slam", "三维重建", "diffusion"]


def test_fetch_ranks_by_keywords_and_authors_and_excludes(tmp_path):
    keyword_hits = containing("3D")
    excluded = containing("driving")
    follows = fixture_papers()[DAY][-1]  # the oldest paper of the day, last in newest-first order
    assert keyword_hits and excluded and follows.id not in excluded
    with FakeArxiv() as fake:
        options = digest_options(fake.url, max_papers=4, ranking={
            "keywords": {"3D": 2}, "authors": [follows.authors[0]], "exclude": ["driving"]})
        config = write_site(tmp_path, options)
        run = cli(config, "fetch", "--date", DAY)
        assert run.returncode == 0, run.stderr
    day = stored(tmp_path)
    # Expected order computed here: score = 2 per keyword hit, twice that in the title, + 5 for the followed
    # author, ties newest first.
    order = newest_first(fixture_papers()[DAY])
    in_title = {pid for pid, title in titles().items() if "3D" in re.split(r"[^\w]+", title)}
    assert in_title and in_title < set(keyword_hits)
    points = {pid: 2 * (2 if pid in in_title else pid in keyword_hits) + 5 * (pid == follows.id) for pid in order}
    expected = sorted((pid for pid in order if pid not in excluded), key=lambda pid: -points[pid])[:4]
    assert day["papers"] == expected
    assert not set(excluded) & set(day["papers"])
    assert f"{len(excluded)} by negative keywords" in run.stdout
    first = stored_paper(tmp_path, expected[0])
    assert first["ranking"]["reasons"][-1] == f"@{follows.authors[0]}" or "3D" in first["ranking"]["reasons"]


def test_without_ranking_options_the_order_is_newest_first(tmp_path):
    with FakeArxiv() as fake:
        config = write_site(tmp_path, digest_options(fake.url, max_papers=3))
        assert cli(config, "fetch", "--date", DAY).returncode == 0
    assert stored(tmp_path)["papers"] == newest_first(fixture_papers()[DAY])[:3]
    assert "ranking" not in stored_paper(tmp_path, stored(tmp_path)["papers"][0])


def test_llm_relevance_batches_caches_and_falls_back(tmp_path):
    target = newest_first(fixture_papers()[DAY])[-1]  # oldest: last without ranking

    def responder(body):
        ids = body["response_format"]["json_schema"]["schema"]["properties"]["scores"]["items"]["properties"]["id"]["enum"]
        return Reply(json.dumps({"scores": [{"id": i, "score": 10 if i == target else 1} for i in ids]}))

    with FakeArxiv() as fake, FakeOpenAI(responder=responder) as llm:
        options = digest_options(fake.url, max_papers=3, ranking={"llm_interest": "global optimisation", "llm_batch": 4},
                                 llm={"base_url": llm.base_url, "model": "fake", "retries": 0, "attempts": 1})
        config = write_site(tmp_path, options)
        assert cli(config, "fetch", "--date", DAY).returncode == 0
        assert len(llm.requests) == 3  # 10 candidates in batches of 4
        day = stored(tmp_path)
        assert day["papers"][0] == target and day["relevance"]["scores"][target] == 10
        # Refetching the day reuses the cached scores: no LLM request.
        assert cli(config, "fetch", "--date", DAY).returncode == 0
        assert len(llm.requests) == 3
        # A failing LLM falls back to the keyword score (newest first here) and says so.
        (tmp_path / "data" / "days" / f"{DAY}.json").unlink()
        llm.behaviour_for = lambda body: "500"
        run = cli(config, "fetch", "--date", DAY)
    assert "LLM relevance failed" in run.stdout
    assert stored(tmp_path)["papers"] == newest_first(fixture_papers()[DAY])[:3]


def write_hooks(root, body):
    (root / "hooks.py").write_text(textwrap.dedent(body), encoding="utf-8")
    return {"hooks": ["hooks.py"]}


def test_site_hook_filters_and_reranks(tmp_path):
    oldest = newest_first(fixture_papers()[DAY])[-1]
    extra = write_hooks(tmp_path, f'''
        def arxiv_digest_candidates(papers, date):
            assert date == "{DAY}"
            kept = [p for p in papers if "Dex4D" not in p["title"]]
            return sorted(kept, key=lambda p: p["id"] != "{oldest}")
    ''')
    with FakeArxiv() as fake:
        config = write_site(tmp_path, digest_options(fake.url, max_papers=3), extra=extra)
        assert cli(config, "fetch", "--date", DAY).returncode == 0
    papers = stored(tmp_path)["papers"]
    assert papers[0] == oldest and len(papers) == 3
    assert all("Dex4D" not in titles()[pid] for pid in papers)


def test_a_broken_hook_fails_the_build_naming_it(tmp_path):
    extra = write_hooks(tmp_path, '''
        def arxiv_digest_candidates(papers, date):
            raise RuntimeError("boom")
    ''')
    with FakeArxiv() as fake:
        options = digest_options(fake.url, fetch="auto", days=1, until=DAY)
        run = build_site(tmp_path, options, strict=False, extra=extra)
        assert run.returncode != 0
        assert "arxiv_digest_candidates" in run.output and "boom" in run.output and "hooks.py" in run.output
        fetch = cli(tmp_path / "mkdocs.yml", "fetch", "--date", DAY)
    assert fetch.returncode == 2 and "arxiv_digest_candidates" in fetch.stderr and "boom" in fetch.stderr
    assert not (tmp_path / "data" / "days" / f"{DAY}.json").exists()  # nothing half-ranked was stored


def test_why_line_tag_and_card_hooks_and_macros_on_the_site(tmp_path):
    extra = write_hooks(tmp_path, '''
        def arxiv_digest_paper_tags(paper):
            return ["Followed Lab"] if "3D" in paper["title"] else []

        def arxiv_digest_card_context(paper, context):
            return {"stamp": "HOOKED-" + paper["id"]}
    ''')
    # A site template override shows the hook's card context.
    from arxiv_digest.pages.render import TEMPLATES
    (tmp_path / "overrides").mkdir()
    card = (TEMPLATES / "card.html").read_text(encoding="utf-8").replace(
        "</article>", '<span class="stamp">{{ extra.stamp }}</span></article>')
    (tmp_path / "overrides" / "card.html").write_text(card, encoding="utf-8")
    index = '# Home\n\n{{ digest.cards(tag="Followed Lab", limit=2) }}\n\n{{ digest.counts.papers }} papers\n'
    with FakeArxiv() as fake:
        options = digest_options(fake.url, max_papers=5, templates_dir="overrides", ranking={"keywords": ["3D"]})
        config = write_site(tmp_path, options, extra=extra, plugins=("search", "tags", "macros"), index=index)
        assert cli(config, "fetch", "--date", DAY).returncode == 0
        run = build_site(tmp_path, options, extra=extra, plugins=("search", "tags", "macros"), index=index)
    assert run.returncode == 0, run.output
    day = (run.site / "digest" / DAY / "index.html").read_text(encoding="utf-8")
    first = stored(tmp_path)["papers"][0]
    assert stored_paper(tmp_path, first)["ranking"]["reasons"] == ["3D"]
    assert "入选理由: 3D" in day  # the why line of a card chosen for its keyword
    assert f"HOOKED-{first}" in day
    assert (run.site / "tags" / "followed-lab" / "index.html").exists()
    home = (run.site / "index.html").read_text(encoding="utf-8")
    with_tag = [pid for pid in stored(tmp_path)["papers"] if "3D" in titles()[pid]]
    assert home.count('<article class="ad-card') == min(2, len(with_tag)) and "5 papers" in home
