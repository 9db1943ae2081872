"""Batch analysis through the fake Files + Batches API (tests/fake_batch.py), with the real ``openai`` client over
HTTP: ``arxiv-digest analyze --batch`` submits, a later run collects; what the gate refuses, what failed and
what expired goes again; nothing is asked outside the batch; ``--batch-file`` / ``--batch-results`` for vLLM."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from arxiv_digest import batches
from arxiv_digest.analysis.llm.batch import results
from batch_support import batch_site, days, kind, llm_done, papers, state, subject
from fake_batch import FakeBatchAPI
from llm_support import build, load, page_text, run_cli


@pytest.fixture
def fake():
    with FakeBatchAPI() as api:
        yield api


def test_submit_then_collect_end_to_end(fake, tmp_path):
    """Submit: every paper's analysis and fields in one batch, recorded in the store. Collect: the gate sorts the
    answers; the good are stored, a paper's good half is held while its twin goes again, the rest are pending
    with the gate's or the provider's reason; summaries follow their papers; the build publishes it all."""
    config = batch_site(tmp_path, fake.base_url)
    ids = list(papers(config))
    run = run_cli(config, "analyze", "--batch")
    assert run.returncode == 0, run.output
    (batch_id,) = fake.order
    sent = [x["custom_id"] for x in fake.requests_of(batch_id)]
    assert Counter(kind(c) for c in sent) == {"analysis": len(ids), "fields": len(ids)}
    assert {subject(c) for c in sent} == set(ids)
    recorded = state(config)["batches"]
    assert [(b["batch_id"], b["status"], sorted(b["custom_ids"])) for b in recorded] == [
        (batch_id, "submitted", sorted(sent))]
    assert fake.files[fake.batches[batch_id]["input_file_id"]]["purpose"] == "batch"
    body = fake.requests_of(batch_id)[0]
    assert body["method"] == "POST" and body["url"] == "/v1/chat/completions" and body["body"]["model"] == "gpt-fake"
    assert "stream" not in body["body"] and "extra_body" not in body["body"]

    # Still running: a second run submits nothing again.
    fake.advance("in_progress")
    run = run_cli(config, "analyze", "--batch")
    assert run.returncode == 0 and "in_progress" in run.output, run.output
    assert len(fake.order) == 1 and llm_done(config) == set()
    assert f"batches open: 1 ({len(sent)} requests)" in run_cli(config, "status").output

    bad = {f"analysis:{ids[0]}": "think", f"fields:{ids[1]}": "refusal", f"analysis:{ids[2]}": "cut",
           f"fields:{ids[3]}": "error"}
    fake.behaviour = lambda cid, body: bad.get(cid.rsplit(":", 1)[0], "ok")
    fake.advance("completed")
    run = run_cli(config, "analyze", "--batch")
    assert run.returncode == 0, run.output
    assert llm_done(config) == set(ids[4:])
    stored = papers(config)
    reasons = {pid: stored[pid]["analysis"].get("reason", "") + " " + stored[pid]["analysis"].get("detail", "")
               for pid in ids[:4]}
    assert all(stored[pid]["analysis"]["status"] == "pending" for pid in ids[:4])
    assert "reasoning" in reasons[ids[0]]
    assert "refused" in reasons[ids[1]] and "can't help" in reasons[ids[1]]
    assert "cut off" in reasons[ids[2]] or "length" in reasons[ids[2]], reasons[ids[2]]
    assert "server had an error" in reasons[ids[3]]
    # The good twin of each is held; only the failed half goes again, with no summary (its papers are not done).
    halves = state(config)["halves"]
    assert {subject(c) for c in halves} == set(ids[:4]) and len(halves) == 4
    again = [x["custom_id"] for x in fake.requests_of(fake.order[1])]
    assert sorted(c.rsplit(":", 1)[0] for c in again) == sorted(bad)
    for pid in ids[4:]:
        analysis = stored[pid]["analysis"]
        assert analysis["provenance"] == "llm" and analysis["tldr"] and analysis["body"].startswith("### 1.")
        assert analysis["usage"]["requests"] == 2

    fake.behaviour = lambda cid, body: "ok"
    fake.advance("completed")
    assert run_cli(config, "analyze", "--batch").returncode == 0
    assert llm_done(config) == set(ids) and state(config)["halves"] == {}
    (summary,) = [x["custom_id"] for x in fake.requests_of(fake.order[2])]
    assert kind(summary) == "summary"
    fake.advance("completed")
    run = run_cli(config, "analyze", "--batch")
    assert "day summaries: 1" in run.output, run.output
    (day,) = days(config).values()
    assert day["summary"]["provenance"] == "llm" and "summary_pending" not in day
    assert len(fake.order) == 3 and set(fake.submitted.values()) <= {1, 2}
    assert all(n == 1 for c, n in fake.submitted.items() if c.rsplit(":", 1)[0] not in bad)
    assert fake.chat_calls == 0  # nothing outside the batch

    site = build(config)
    assert site.returncode == 0, site.output
    html = page_text(config.parent / "site", f"papers/{ids[5]}")
    assert stored[ids[5]]["analysis"]["tldr"][:20] in html
    assert fake.chat_calls == 0


@pytest.mark.parametrize("end", ["expired", "failed", "cancelled"])
def test_what_did_not_run_goes_again(fake, tmp_path, end):
    """Expired (half ran), failed at validation, cancelled: what has no answer is pending with the provider's
    reason and sent again in a new batch, each request once more; what ran is stored."""
    config = batch_site(tmp_path, fake.base_url)
    config_obj, store = load(config)
    report, _ = batches.run(store, config_obj)
    first = fake.order[0]
    sent = [x["custom_id"] for x in fake.requests_of(first)]
    if end == "cancelled":
        fake.advance("cancelling")
    fake.advance(end)
    report, notes = batches.run(store, config_obj)
    answered = fake.batches[first]["request_counts"]["completed"] if end == "expired" else 0
    assert answered == (len(sent) // 2 if end == "expired" else 0)
    again = [x["custom_id"] for x in fake.requests_of(fake.order[1])]
    assert len(again) == len(sent) - answered and set(again) <= set(sent)
    assert all(fake.submitted[c] == (2 if c in again else 1) for c in sent)
    why = {"expired": "batch_expired", "failed": "does not support batches", "cancelled": "cancelled"}[end]
    assert any(why in reason for reason in report.pending.values()), report.pending
    assert state(config)["batches"][0]["status"] == "closed"
    fake.advance("completed")
    batches.run(store, config_obj)
    assert llm_done(config) == set(papers(config))
    assert fake.chat_calls == 0


def test_a_refused_parameter_is_learned_and_the_requests_go_again_without_it(fake, tmp_path):
    """OpenAI's reasoning models refuse ``max_tokens`` in every line of a batch: the run learns it as a live run
    does, sends the requests again with ``max_completion_tokens`` (and no temperature), and names the option."""
    config = batch_site(tmp_path, fake.base_url)
    config_obj, store = load(config)
    batches.run(store, config_obj)
    refusal = ("400:Unsupported parameter: 'max_tokens' is not supported with this model. "
               "Use 'max_completion_tokens' instead.")
    fake.behaviour = lambda cid, body: refusal if "max_tokens" in body else "ok"
    fake.advance("completed")
    report, _ = batches.run(store, config_obj)
    assert any("llm.token_parameter: max_completion_tokens" in note for note in report.learned), report.learned
    assert "provider: " in "\n".join(report.lines())
    again = [x["body"] for x in fake.requests_of(fake.order[1])]
    assert len(again) == 2 * len(papers(config))
    assert all("max_completion_tokens" in b and "max_tokens" not in b and "temperature" not in b for b in again)
    fake.advance("completed")
    batches.run(store, config_obj)
    assert llm_done(config) == set(papers(config))


def test_batch_file_and_results_for_vllm(fake, tmp_path):
    """``--batch-file`` writes the OpenAI batch format vLLM's run_batch reads, sending nothing;
    ``--batch-results`` stores the answers of its output file through the same gate."""
    config = batch_site(tmp_path, fake.base_url)
    requests = tmp_path / "requests.jsonl"
    run = run_cli(config, "analyze", "--batch-file", str(requests))
    assert run.returncode == 0, run.output
    lines = [json.loads(x) for x in requests.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2 * len(papers(config))
    assert all(set(x) == {"custom_id", "method", "url", "body"} and x["url"] == "/v1/chat/completions" for x in lines)
    assert fake.calls == Counter() and fake.chat_calls == 0
    # run_batch's output: the fake answers each line as the Batch API would (one refused).
    refused = lines[0]["custom_id"]
    fake.behaviour = lambda cid, body: "refusal" if cid == refused else "ok"
    output = tmp_path / "results.jsonl"
    output.write_text("".join(json.dumps(fake._answer(x)[1]) + "\n" for x in lines), encoding="utf-8")
    run = run_cli(config, "analyze", "--batch-results", str(output))
    assert run.returncode == 0, run.output
    assert llm_done(config) == set(papers(config)) - {subject(refused)}
    assert "refused" in papers(config)[subject(refused)]["analysis"]["reason"]
    # Only the refused request is left; its twin is held.
    run_cli(config, "analyze", "--batch-file", str(requests))
    assert [json.loads(x)["custom_id"] for x in requests.read_text(encoding="utf-8").splitlines()] == [refused]


def test_cost_line_at_batch_prices(fake, tmp_path):
    config = batch_site(tmp_path, fake.base_url, price_input=2.0, price_output=8.0, batch_discount=0.5)
    config_obj, store = load(config)
    batches.run(store, config_obj)
    fake.advance("completed")
    report, _ = batches.run(store, config_obj)
    usage = report.usage
    assert usage.requests == 2 * len(papers(config)) and usage.prompt_tokens > 0
    expected = (usage.prompt_tokens * 1.0 + usage.completion_tokens * 4.0) / 1e6
    assert f"cost: {expected:.4f}" in "\n".join(report.lines())


def test_result_lines_in_every_form():
    """Output and error file lines: an answer, an error object, a non-200 response, a line that is not JSON."""
    text = "\n".join([
        json.dumps({"id": "r1", "custom_id": "a", "response": {"status_code": 200, "body": {"choices": []}},
                    "error": None}),
        json.dumps({"id": "r2", "custom_id": "b", "response": None,
                    "error": {"code": "batch_expired", "message": "not run before the batch expired"}}),
        json.dumps({"id": "r3", "custom_id": "c", "response": {"status_code": 429, "body": {
            "error": {"message": "Rate limit reached", "type": "requests"}}}, "error": None}),
        "not json", ""])
    got = list(results(text, "test"))
    assert [(r.custom_id, r.body is not None, r.error) for r in got] == [
        ("a", True, None), ("b", False, "batch_expired: not run before the batch expired"), ("c", False, "HTTP 429: Rate limit reached")]


def test_a_lost_record_is_adopted_not_submitted_again(fake, tmp_path):
    """A CI job killed after creating its batch and before committing the store: the next run, from a checkout
    without that record, finds the site's batch by its metadata and waits for it instead of sending again.
    Another site's batches on the same account are not taken."""
    config = batch_site(tmp_path / "site", fake.base_url)
    other = batch_site(tmp_path / "other", fake.base_url, days=["2026-02-06"])
    assert run_cli(other, "analyze", "--batch").returncode == 0
    assert run_cli(config, "analyze", "--batch").returncode == 0
    (config.parent / "data" / "batches.json").unlink()
    run = run_cli(config, "analyze", "--batch")
    assert run.returncode == 0 and "adopted (20 requests" in run.output, run.output
    assert len(fake.order) == 2 and set(fake.submitted.values()) == {1}
    fake.advance("completed")
    assert run_cli(config, "analyze", "--batch").returncode == 0
    assert llm_done(config) == set(papers(config))
    assert llm_done(other) == set() and set(fake.submitted.values()) == {1}
