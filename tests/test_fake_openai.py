"""Tests for tests/fake_openai.py, driving the real ``openai`` client over HTTP."""

from __future__ import annotations

import json
import re
import threading
import time

import jsonschema
import openai
import pytest

from fake_openai import REFUSAL_TEXT, FakeOpenAI, Reply, default_responder, detect_language

CJK = re.compile(r"[\u4e00-\u9fff]")

ZH_SYSTEM = "你是一名AI领域专业高水平研究生，请用中文分析下面的论文。"
ABSTRACT = (
    "Title: Efficient Long-Context Transformers (arXiv:2401.00001)\n"
    "Abstract: We propose a method that reduces the quadratic cost of attention for long inputs."
)

SCHEMA = {
    "type": "object",
    "properties": {
        "tldr": {"type": "string", "minLength": 5},
        "keywords": {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 5},
        "score": {"type": "integer", "minimum": 1, "maximum": 10},
        "confidence": {"type": "number"},
        "category": {"type": "string", "enum": ["cs.CL", "cs.LG", "cs.CV"]},
        "method": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "novel": {"type": "boolean"}},
            "required": ["name", "novel"],
            "additionalProperties": False,
        },
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "sections": {"type": "array", "items": {"$ref": "#/$defs/Section"}, "minItems": 2},
    },
    "required": ["tldr", "keywords", "score", "confidence", "category", "method", "note", "sections"],
    "additionalProperties": False,
    "$defs": {
        "Section": {
            "type": "object",
            "properties": {"heading": {"type": "string"}, "body": {"type": "string"}},
            "required": ["heading", "body"],
            "additionalProperties": False,
        }
    },
}


@pytest.fixture
def fake():
    with FakeOpenAI() as f:
        yield f


def make_client(fake: FakeOpenAI, timeout: float = 2) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0, timeout=timeout)


def chat(client: openai.OpenAI, user: str = ABSTRACT, system: str | None = None, **kwargs):
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]
    return client.chat.completions.create(model="gpt-4o-mini", messages=messages, **kwargs)


def schema_format(schema=SCHEMA):
    return {"type": "json_schema", "json_schema": {"name": "paper", "schema": schema, "strict": True}}


# ---------------------------------------------------------------- basics


def test_normal_completion_parses_with_usage(fake):
    resp = chat(make_client(fake), "Summarise this paper in one paragraph.\n" + ABSTRACT)
    assert resp.object == "chat.completion"
    assert resp.model == "gpt-4o-mini"
    assert resp.id.startswith("chatcmpl-")
    choice = resp.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content and not CJK.search(choice.message.content)
    assert resp.usage.prompt_tokens > 0 and resp.usage.completion_tokens > 0
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens


def test_models_list_names_the_default_model(fake):
    ids = [m.id for m in make_client(fake).models.list()]
    assert "gpt-4o-mini" in ids


def test_requests_and_authorization_header_recorded(fake):
    chat(make_client(fake), "hello", temperature=0.2)
    assert len(fake.requests) == 1
    body = fake.requests[0]
    assert body["model"] == "gpt-4o-mini"
    assert body["temperature"] == 0.2
    assert body["messages"][-1] == {"role": "user", "content": "hello"}
    assert fake.headers[0]["authorization"] == "Bearer sk-test"
    assert fake.last_request is body


def test_chinese_prompt_gives_chinese_content(fake):
    resp = chat(make_client(fake), ABSTRACT, system=ZH_SYSTEM)
    text = resp.choices[0].message.content
    assert len(CJK.findall(text)) > 20


def test_answer_echoes_the_requested_headings_in_order(fake):
    system = ZH_SYSTEM + "\n请按以下结构输出：\n### 1. 摘要翻译\n### 2. 核心方法\n### 3. 实验结果\n"
    text = chat(make_client(fake), ABSTRACT, system=system).choices[0].message.content
    positions = [text.index(h) for h in ("### 1. 摘要翻译", "### 2. 核心方法", "### 3. 实验结果")]
    assert positions == sorted(positions)
    assert CJK.search(text.split("### 3. 实验结果")[1])

    en = chat(make_client(fake), "Answer with these sections:\n## TL;DR\n## Method\n\n" + ABSTRACT)
    en_text = en.choices[0].message.content
    assert "## TL;DR" in en_text and "## Method" in en_text and not CJK.search(en_text)


def test_json_schema_response_validates(fake):
    client = make_client(fake)
    resp = chat(client, ABSTRACT, system="Extract structured data.", response_format=schema_format())
    data = json.loads(resp.choices[0].message.content)
    jsonschema.validate(data, SCHEMA)
    assert not CJK.search(data["tldr"])

    zh = chat(client, ABSTRACT, system="提取论文信息。", response_format=schema_format())
    zh_data = json.loads(zh.choices[0].message.content)
    jsonschema.validate(zh_data, SCHEMA)
    assert CJK.search(zh_data["tldr"]) and CJK.search(zh_data["keywords"][0])


def test_streamed_answer_is_the_default_answer_and_ends_with_usage(fake):
    stream = chat(make_client(fake), "hi", stream=True, stream_options={"include_usage": True})
    pieces, finish, usage = [], None, None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for c in chunk.choices:
            pieces.append(c.delta.content or "")
            finish = c.finish_reason or finish
    assert "".join(pieces) == default_responder(fake.requests[0])
    assert finish == "stop" and usage.total_tokens > 0


# ---------------------------------------------------------------- scripted behaviours


def test_scripted_replies_are_served_first_in_first_out(fake):
    fake.script += [Reply("first", prompt_tokens=7, completion_tokens=3), Reply("second", finish_reason="length")]
    client = make_client(fake)
    r1, r2, r3 = chat(client), chat(client), chat(client)
    assert r1.choices[0].message.content == "first"
    assert (r1.usage.prompt_tokens, r1.usage.completion_tokens, r1.usage.total_tokens) == (7, 3, 10)
    assert r2.choices[0].message.content == "second" and r2.choices[0].finish_reason == "length"
    assert r3.choices[0].finish_reason == "stop" and fake.script == []


def test_429_raises_a_rate_limit_error_with_retry_after(fake):
    fake.script.append("429")
    with pytest.raises(openai.RateLimitError) as info:
        chat(make_client(fake))
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "1"
    assert info.value.body["type"] == "rate_limit_error"


def test_500_raises_an_internal_server_error(fake):
    fake.script.append("500")
    with pytest.raises(openai.InternalServerError) as info:
        chat(make_client(fake))
    assert info.value.status_code == 500


def test_reply_with_an_error_status_raises_the_matching_client_error(fake):
    fake.script.append(Reply("bad key", status=401))
    with pytest.raises(openai.AuthenticationError, match="bad key"):
        chat(make_client(fake))


def test_timeout_fault_times_the_client_out_and_the_server_keeps_serving(fake):
    fake.script.append(("timeout", 1.5))
    start = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        chat(make_client(fake, timeout=0.3))
    assert time.monotonic() - start < 1.2
    # the server keeps serving afterwards
    assert chat(make_client(fake)).choices[0].message.content


def test_refusal_fault_answers_the_refusal_text(fake):
    fake.script.append("refusal")
    content = chat(make_client(fake), ABSTRACT, system=ZH_SYSTEM).choices[0].message.content
    assert content == REFUSAL_TEXT and content.endswith("请提供您希望我分析的论文。")


def test_truncated_fault_ends_with_length_and_cut_json(fake):
    fake.script.append("truncated")
    resp = chat(make_client(fake), ABSTRACT, system="Extract.", response_format=schema_format())
    assert resp.choices[0].finish_reason == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.choices[0].message.content)


def test_invalid_json_and_empty_faults_answer_broken_json_and_nothing(fake):
    fake.script += ["invalid_json", "empty"]
    client = make_client(fake)
    bad = chat(client, response_format=schema_format()).choices[0].message.content
    assert bad == '{"tldr": "unfinished'
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad)
    assert chat(client).choices[0].message.content == ""


def test_wrong_language_fault_answers_in_the_other_language(fake):
    fake.script += ["wrong_language", "wrong_language"]
    client = make_client(fake)
    zh_asked = chat(client, ABSTRACT, system=ZH_SYSTEM).choices[0].message.content
    assert zh_asked and not CJK.search(zh_asked)
    en_asked = chat(client, "Summarise in English.\n" + ABSTRACT).choices[0].message.content
    assert len(CJK.findall(en_asked)) > 20


def test_behaviour_for_picks_a_fault_by_paper_id_and_a_script_overrides_it():
    def pick(body):
        text = json.dumps(body, ensure_ascii=False)
        return "500" if "2401.99999" in text else None

    with FakeOpenAI(behaviour_for=pick, responder=lambda body: "custom") as fake:
        client = make_client(fake)
        assert chat(client, "paper 2401.00001").choices[0].message.content == "custom"
        with pytest.raises(openai.InternalServerError):
            chat(client, "paper 2401.99999")
        fake.script.append(Reply("scripted wins"))
        assert chat(client, "paper 2401.99999").choices[0].message.content == "scripted wins"


def test_responder_may_return_a_reply_with_its_finish_reason():
    with FakeOpenAI(responder=lambda body: Reply("x" * 40, finish_reason="content_filter")) as fake:
        resp = chat(make_client(fake))
        assert resp.choices[0].finish_reason == "content_filter"
        assert resp.usage.completion_tokens == 10


# ---------------------------------------------------------------- concurrency


def test_latency_requests_served_concurrently():
    with FakeOpenAI(latency=0.3) as fake:
        client = make_client(fake)
        results: list[str] = []
        errors: list[BaseException] = []

        def worker(i: int) -> None:
            try:
                results.append(chat(client, f"paper {i}").choices[0].message.content)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        assert not errors
        assert len(results) == 4 and len(fake.requests) == 4
        assert 0.3 <= elapsed < 0.9, elapsed
        assert fake.max_in_flight >= 2


def test_detect_language_goes_by_the_instructions_not_the_abstract():
    assert detect_language(ZH_SYSTEM + ABSTRACT) == "zh"
    assert detect_language(ABSTRACT) == "en"
    assert detect_language({"messages": [{"role": "system", "content": ZH_SYSTEM},
                                         {"role": "user", "content": ABSTRACT * 20}]}) == "zh"


def test_stop_stops_serving():
    fake = FakeOpenAI().start()
    client = make_client(fake, timeout=1)
    chat(client)
    fake.stop()
    with pytest.raises(openai.APIConnectionError):
        chat(client)
