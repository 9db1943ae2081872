"""The daily workflow's batch variant (repository variable ARXIV_DIGEST_BATCH = true), its `run:` steps run in
order against the fake arXiv and the fake batch API: the first run fetches and submits (committing the batch's
record with the data), the next run collects it, commits the analyses and publishes them."""

from __future__ import annotations

import json

from fake_arxiv import FakeArxiv
from fake_batch import FakeBatchAPI
from recent_arxiv import latest_dates, recent_entries
from support import article, page
from test_workflow_run import Scenario, _analyses, _git


def test_batch_variant_submits_after_fetch_and_collects_on_the_next_run(tmp_path):
    days = recent_entries()
    old, middle, _ = latest_dates()
    with FakeArxiv(entries=days[0] + days[1]) as arxiv, FakeBatchAPI() as fake:
        scenario = Scenario(tmp_path, arxiv, fake, variables={"ARXIV_DIGEST_BATCH": "true"})
        first, checkout = scenario.run()
        assert first.ok, first.output
        assert "submitted" in first.step("Analyze").output
        (batch_id,) = fake.order
        record = json.loads(_git(scenario.remote, "show", "main:data/batches.json"))
        assert [(b["batch_id"], b["status"]) for b in record["batches"]] == [(batch_id, "submitted")]
        assert all(a["provenance"] == "offline" for a in _analyses(scenario.remote, "main", middle).values())

        fake.advance("completed")
        second, checkout = scenario.run()
        assert second.ok, second.output
        assert "completed" in second.step("Analyze").output
    for day in (old, middle):
        analyses = _analyses(scenario.remote, "main", day)
        assert analyses and all(a["status"] == "done" and a["provenance"] == "llm" for a in analyses.values())
    cards = article(page(checkout / "site", f"digest/{middle}/")).xpath(".//article[contains(@class,'ad-card')]")
    assert len(cards) == len(_analyses(scenario.remote, "main", middle))
    html = (checkout / "site" / "digest" / middle / "index.html").read_text(encoding="utf-8")
    assert all(a["tldr"][:16] in html for a in _analyses(scenario.remote, "main", middle).values())
    # The summaries went out in the second run's batch; nothing was sent twice, nothing outside a batch.
    assert [r["custom_id"].split(":")[0] for r in fake.requests_of(fake.order[1])] == ["summary", "summary"]
    assert set(fake.submitted.values()) == {1} and fake.chat_calls == 0
    assert _git(checkout, "status", "--porcelain", "data") == ""
