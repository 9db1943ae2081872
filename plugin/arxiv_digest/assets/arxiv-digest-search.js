// arxiv-digest: Pagefind full-text search in Material's header search box (templates/search.html).
// The index is in shards by date (pagefind/shards.json, newest first; search/shards.py). The newest shard's
// code and index load on the first focus of the box; a query fetches only the chunks of its words, searches
// the shards one at a time (each merged in with Pagefind's mergeIndex, sharing the first shard's wasm, and
// tagged with a "shard" filter) and stops at a page of results; "more results" goes on to older shards.
// Results: title, digest date, tags and the highlighted excerpt, linking to the page.
(() => {
  "use strict";
  const box = document.querySelector(".ad-search");
  const toggle = document.getElementById("__search");
  if (!box || !toggle) return;
  const input = box.querySelector(".md-search__input");
  const meta = box.querySelector(".md-search-result__meta");
  const list = box.querySelector(".md-search-result__list");
  const hint = meta.textContent;
  const config = JSON.parse(document.getElementById("__config").textContent);
  const root = new URL(config.base.replace(/\/?$/, "/"), location.href);
  const PAGE = 10;  // results loaded at a time: each loads its page's fragment
  const OPTIONS = { baseUrl: root.pathname, excerptLength: 24 };  // result URLs relative to where the site is served
  const more = box.querySelector(".ad-search__more");
  let index = null;

  const load = () => {
    index = index || fetch(new URL("pagefind/shards.json", root)).then((r) => r.json()).then(async ({ shards }) => {
      const pf = await import(new URL(`pagefind/${shards[0].path}pagefind.js`, root).href);
      await pf.options(OPTIONS);
      await pf.init();
      await pf.options({ mergeFilter: { shard: shards[0].path } });
      return { pf, shards, merged: new Set([0]), data: new Map() };
    });
    index.catch(() => { index = null; });  // a failed load is tried again by the next query
    return index;
  };

  const merge = async (idx, i) => {
    if (idx.merged.has(i)) return;
    idx.merged.add(i);
    const path = idx.shards[i].path;
    await idx.pf.mergeIndex(new URL(`pagefind/${path}`, root).pathname, { ...OPTIONS, mergeFilter: { shard: path } });
  };

  // The shards a query searches, in order: newest first; for an arXiv id, the shards whose range of ids holds
  // it, then those from its submission month (yymm) on, oldest first (a paper is announced within days).
  const ARXIV_YYMM = /\b(\d{2})(\d{2})\.(\d{4,5})\b/;
  const key = (id) => id.split(".").map(Number);  // 2611.01687 < 2611.1234 as numbers
  const before = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);
  const order = (shards, query) => {
    const id = query.match(ARXIV_YYMM);
    const all = shards.map((_, i) => i);
    if (!id) return all;
    const wanted = key(id[0]);
    const holding = all.filter((i) => shards[i].ids && before(key(shards[i].ids[0]), wanted)
      && before(wanted, key(shards[i].ids[1])));
    const month = `20${id[1]}-${id[2]}`;
    const later = all.filter((i) => !holding.includes(i) && (!shards[i].to || shards[i].to >= month)).reverse();
    return [...holding, ...later];
  };

  // A query's words as Pagefind indexes them: an arXiv id as its two numbers, Chinese split into words (the
  // indexer segments Chinese; the box gets "扩散模型" as one run of characters).
  const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;
  const segmenter = typeof Intl.Segmenter === "function" ? new Intl.Segmenter("zh", { granularity: "word" }) : null;
  const words = (query) => query.replace(/\b(\d{4})\.(\d{4,5})(v\d+)?\b/gi, "$1 $2").split(/\s+/)
    .flatMap((w) => (CJK.test(w) && segmenter ? [...segmenter.segment(w)].filter((s) => s.isWordLike).map((s) => s.segment) : [w]))
    .filter(Boolean);

  // Whether a page holds every word: Pagefind answers a word that no page of a shard holds with the pages of
  // its longest indexed prefix ("04770" with every "0"), and a shard does so for all its pages alike, so its
  // first result tells whether the shard has the words at all.
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f\u200b]/g, "").toLowerCase();
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const holds = (data, terms) => {
    const text = fold([data.content, ...Object.values(data.meta || {})].join(" "));
    return terms.map(fold).every((w) => (CJK.test(w) ? text.includes(w)
      : new RegExp(`(^|[^\\p{L}\\p{N}])${escape(w)}`, "u").test(text) || text.replace(/[-_]/g, "").includes(w)));
  };
  const dataOf = (idx, result) => {
    if (!idx.data.has(result.id)) idx.data.set(result.id, result.data());
    return idx.data.get(result.id);
  };

  // The results of the shards in the query's order, shard after shard, until `want` results (an arXiv id: 1)
  // or `reach` shards: each shard searched costs its meta and its chunks of the query's words (~40 kB a word),
  // so a word that no recent paper has does not load the whole archive; "more results" reaches further.
  const STEP = 3;  // shards searched without the reader asking
  const find = async (idx, query, want, reach) => {
    const terms = words(query);
    const sequence = order(idx.shards, query);
    const results = [];
    let searched = 0;
    for (const i of sequence) {
      if (results.length >= want || searched >= reach) break;
      await merge(idx, i);
      searched += 1;
      const found = (await idx.pf.search(terms.join(" "), { filters: { shard: idx.shards[i].path } })).results;
      if (found.length && holds(await dataOf(idx, found[0]), terms)) results.push(...found);
    }
    const rest = searched < sequence.length;
    // How far back the results go when the newest shards were searched and older ones were not.
    const since = rest && sequence[0] === 0 ? idx.shards[sequence[searched - 1]].from : null;
    return { results, rest, since, reach: searched };
  };

  // Pagefind's excerpts are the page's text with <mark> around hits: keep the marks, everything else as text.
  const excerpt = (html) => {
    const p = document.createElement("p");
    const template = document.createElement("template");
    template.innerHTML = html;  // inert: nothing in a template runs or loads
    for (const node of template.content.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.append(mark);
      } else {
        p.append(document.createTextNode(node.textContent));
      }
    }
    return p;
  };

  // A day page found by one of its listed papers (issue 18): that entry, whose heading's id is its arXiv id.
  const ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/;
  const entry = (data) => (data.sub_results || [])
    .filter((sub) => sub.anchor && ARXIV_ID.test(sub.anchor.id || "") && (sub.locations || []).length)
    .sort((a, b) => b.locations.length - a.locations.length)[0];

  const item = (found) => {
    const sub = entry(found);
    const data = sub ? { ...found, url: sub.url, excerpt: sub.excerpt, meta: { ...found.meta, title: sub.title } }
      : found;
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const title = document.createElement("h1");
    title.textContent = data.meta.title || data.url;
    article.append(title);
    if (data.meta.date || data.meta.tags) {
      const line = document.createElement("p");
      line.className = "ad-search__meta";
      line.textContent = [data.meta.date, data.meta.tags].filter(Boolean).join(" · ");
      article.append(line);
    }
    article.append(excerpt(data.excerpt));
    a.append(article);
    li.append(a);
    return li;
  };

  let shown = { query: "", results: [], rest: false, reach: 0 };
  const show = (text, items = [], query = "", found = { results: [], rest: false, reach: 0 }) => {
    meta.textContent = text;
    list.replaceChildren(...items);
    shown = { query, ...found };
    more.hidden = found.results.length <= items.length && !found.rest;
    box.dataset.done = query;  // the query whose results are shown
  };

  const count = (found) => (found.since ? box.dataset.resultsSince.replace("{since}", found.since)
    : box.dataset.results).replace("{n}", found.results.length);

  let ticket = 0;  // the newest query: an older one's results are dropped
  // `want` results from at most `reach` shards: a query typed asks for a page from STEP shards, "more results"
  // for the next page, STEP shards further.
  const run = async (want = PAGE, reach = STEP) => {
    const query = input.value.trim();
    const mine = ++ticket;
    if (!query) return show(hint);
    if (want === PAGE) await new Promise((resolve) => setTimeout(resolve, 150));  // typing: wait for a pause
    let found, data;
    try {
      const idx = await load();
      found = await find(idx, query, ARXIV_YYMM.test(query) && want === PAGE ? 1 : want, reach);  // an id: its paper
      if (mine !== ticket) return;
      data = await Promise.all(found.results.slice(0, want).map((r) => dataOf(idx, r)));
    } catch (error) {
      return show(box.dataset.failed, [], query);
    }
    if (mine !== ticket) return;
    show(data.length || found.rest ? count(found) : box.dataset.none, data.map(item), query, found);
  };

  // More: the next results found so far, or, when all are shown, those of the next shards.
  more.addEventListener("click", async () => {
    const { query, results, reach } = shown;
    if (results.length > list.children.length) {
      const idx = await load();
      const next = await Promise.all(results.slice(list.children.length, list.children.length + PAGE)
        .map((r) => dataOf(idx, r)));
      if (shown.query !== query) return;
      list.append(...next.map(item));
      more.hidden = results.length <= list.children.length && !shown.rest;
    } else {
      await run(list.children.length + PAGE, reach + STEP);
    }
  });

  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", () => run());
  box.querySelector("form").addEventListener("reset", () => setTimeout(() => run()));
  box.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const first = list.querySelector("a");
    if (first) location.href = first.href;
  });
  // The header's magnifier (and Material's "s" / "/" shortcut state) toggle __search: focus the box.
  toggle.addEventListener("change", () => { if (toggle.checked) input.focus(); });
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || "");
    if (event.key === "Escape" && toggle.checked) {
      toggle.checked = false;
      input.blur();
    } else if (!typing && !event.ctrlKey && !event.metaKey && (event.key === "/" || event.key === "s")) {
      event.preventDefault();
      toggle.checked = true;
      input.focus();
    }
  });
  input.addEventListener("focus", () => { toggle.checked = true; });
})();
