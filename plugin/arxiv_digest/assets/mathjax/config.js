// MathJax for pymdownx.arithmatex (generic mode), re-typeset on Material's instant navigation.
// Shipped with the arxiv-digest package: a site that lists this file and tex-svg-full.js in
// extra_javascript (as `arxiv-digest init` writes) gets them as assets/arxiv-digest/mathjax/,
// with no file to copy, and pages render math offline, making no request to another host:
//   tex-svg-full.js  npm mathjax@3.2.2, es5/tex-svg-full.js
//   ui/safe.js       npm mathjax@3.2.2, es5/ui/safe.js
//   LICENSE          Apache-2.0, from the same package
//   tarball https://registry.npmjs.org/mathjax/-/mathjax-3.2.2.tgz
//   integrity sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==
// Why these files: the SVG output draws glyphs as paths (no font files to fetch) and
// the "full" bundle holds every TeX package, so \boldsymbol, \cancel, \ce, ... never
// make MathJax fetch an extension at runtime (tex-svg.js would, and fail).
// ui/safe filters what untrusted math (abstracts, LLM output) may ask for: no
// javascript: links from \href, no arbitrary CSS from \style, \class, \cssId.
window.MathJax = {
  loader: { load: ["ui/safe"] },
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: { ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex" },
};

// Material emits document$ for the first page and after every instant navigation.
// Before MathJax has loaded, window.MathJax is still the configuration above and
// MathJax typesets the first page itself once it starts. Afterwards each new page
// is typeset in turn, chained on MathJax's startup promise so typesets never overlap.
document$.subscribe(() => {
  const mj = window.MathJax;
  if (!mj || !mj.startup || !mj.startup.promise || !mj.typesetPromise) return;
  mj.startup.promise = mj.startup.promise
    .then(() => {
      if (mj.startup.output && mj.startup.output.clearCache) mj.startup.output.clearCache();
      mj.typesetClear();
      mj.texReset();
      return mj.typesetPromise();
    })
    .catch((error) => console.error("MathJax typeset failed:", error));
});
