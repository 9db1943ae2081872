// arxiv-digest: Pagefind full-text search in Material's header search box (templates/search.html).
// Pagefind's code and index load on the first focus of the box; a query then fetches only the index chunks
// of its words. Results: title, digest date, tags and the highlighted excerpt, linking to the page.
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
  const more = box.querySelector(".ad-search__more");
  let pagefind = null;

  const load = () => {
    pagefind = pagefind || import(new URL("pagefind/pagefind.js", root).href).then(async (pf) => {
      // Result URLs relative to where the site is served (a GitHub Pages project site lives under /name/).
      await pf.options({ baseUrl: root.pathname, excerptLength: 24 });
      pf.init();
      return pf;
    });
    return pagefind;
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

  let shown = { query: "", results: [] };
  const show = (text, items = [], query = "", results = []) => {
    meta.textContent = text;
    list.replaceChildren(...items);
    shown = { query, results };
    more.hidden = results.length <= items.length;
    box.dataset.done = query;  // the query whose results are shown
  };

  // Pagefind indexes an arXiv id as two words split at the dot, and ranks every 2602.* page before the
  // paper for "2602.15727": search the two parts as words (a version suffix is not indexed).
  const normalize = (query) => query.replace(/\b(\d{4})\.(\d{4,5})(v\d+)?\b/gi, "$1 $2");

  const run = async () => {
    const query = input.value.trim();
    if (!query) return show(hint);
    let search;
    try {
      search = await (await load()).debouncedSearch(normalize(query), {}, 150);
    } catch (error) {
      return show(box.dataset.failed, [], query);
    }
    if (search === null) return;  // a newer query superseded this one
    const found = await Promise.all(search.results.slice(0, PAGE).map((r) => r.data()));
    if (input.value.trim() !== query) return;
    show(found.length ? box.dataset.results.replace("{n}", search.results.length) : box.dataset.none,
         found.map(item), query, search.results);
  };

  more.addEventListener("click", async () => {
    const { query, results } = shown;
    const next = await Promise.all(results.slice(list.children.length, list.children.length + PAGE)
      .map((r) => r.data()));
    if (shown.query !== query) return;
    list.append(...next.map(item));
    more.hidden = results.length <= list.children.length;
  });

  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", run);
  box.querySelector("form").addEventListener("reset", () => setTimeout(run));
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
