/* arxiv-digest: the day page's tag filter and the entry a link points at (pages/kinds/day.py, templates/day.md).
   Progressive: without this script every card shows, the chips lead to the tag pages and entries open by click.
   - A chip of [data-ad-filter] shows only the elements of the page's content whose data-tags (a JSON list of tag
     names) hold its tag; "all" (or the chip again) shows everything. Any element with data-tags is filtered.
   - Opening the page at #<paper-id> (or following a card's link) opens that paper's collapsed entry. */
(function () {
  "use strict";

  function tagsOf(el) {
    try { return JSON.parse(el.getAttribute("data-tags")) || []; } catch (e) { return []; }
  }

  function filter(bar, tag) {
    var content = bar.closest("article") || document;
    content.querySelectorAll("[data-tags]").forEach(function (el) {
      el.hidden = Boolean(tag) && tagsOf(el).indexOf(tag) < 0;
    });
    bar.querySelectorAll("[data-tag]").forEach(function (chip) {
      chip.setAttribute("aria-pressed", String(chip.getAttribute("data-tag") === tag));
    });
  }

  function setUp(bar) {
    if (bar.hasAttribute("data-ad-ready")) return;
    bar.setAttribute("data-ad-ready", "");
    bar.querySelectorAll("[data-tag]").forEach(function (chip) {
      chip.hidden = false;
      chip.setAttribute("role", "button");
      chip.addEventListener("click", function (event) {
        event.preventDefault();
        var tag = chip.getAttribute("data-tag");
        filter(bar, chip.getAttribute("aria-pressed") === "true" ? "" : tag);
      });
      chip.addEventListener("keydown", function (event) {  // a button answers the space bar too
        if (event.key === " ") { event.preventDefault(); chip.click(); }
      });
    });
    filter(bar, "");
  }

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    if (target.hidden) {  // a filtered-out entry: show everything again
      document.querySelectorAll("[data-ad-filter]").forEach(function (bar) { filter(bar, ""); });
    }
    var details = target.matches(".ad-entry") ? target.querySelector("details") : null;
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }

  function start() {
    document.querySelectorAll("[data-ad-filter]").forEach(setUp);
    openTarget();
  }

  window.addEventListener("hashchange", openTarget);
  // Material's instant navigation swaps pages without loading this script again.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
