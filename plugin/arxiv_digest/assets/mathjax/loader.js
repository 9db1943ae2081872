// MathJax for the formulas arxiv-digest could not turn into MathML at build time (pages/math.py: TeX that
// latex2mathml does not know, or whose output is not safe MathML Core). Loaded only by pages that still hold such
// a formula, and re-typeset on Material's instant navigation. Most pages have none and load nothing but this file.
//
// Shipped with the package: a site that lists assets/arxiv-digest/mathjax/loader.js in extra_javascript (the
// example site and `arxiv-digest init` sites do) gets this folder with no file to copy, and math renders offline,
// with no request to another host. Files from npm mathjax@3.2.2 (es5/):
//   tex-chtml.js                      TeX input, HTML output (263 kB gzip)
//   input/tex/extensions/*.js         TeX packages, fetched only when a formula uses one that tex-chtml.js
//                                     lacks (\boldsymbol, \cancel, …)
//   output/chtml/fonts/woff-v2/*.woff MathJax's fonts, fetched only when used
//   ui/safe.js                        filters what untrusted TeX may ask for
//   ui/lazy.js                        typesets formulas when they come into view
//   LICENSE                           Apache-2.0, from the same package
//   tarball https://registry.npmjs.org/mathjax/-/mathjax-3.2.2.tgz
//   integrity sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==
// MathJax is added as an async script, so it never holds up the first paint. ui/safe filters what untrusted math
// (abstracts, LLM output) may ask for: no javascript: links from \href, no arbitrary CSS from \style, \class,
// \cssId.
const MATHJAX_SRC = new URL("tex-chtml.js", document.currentScript.src).href;

window.MathJax = {
  // ui/lazy typesets a formula only when it scrolls into view (or its collapsed block opens): long pages
  // do not typeset everything at load, which kept the main thread busy for seconds on phones.
  loader: { load: ["ui/safe", "ui/lazy"] },
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: { ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex" },
};

const pageHasMath = () => document.querySelector(".arithmatex") !== null;

// Material emits document$ for the first page and after every instant navigation.
// The first page with TeX left loads MathJax, which typesets it once it starts. Afterwards each
// new page is typeset in turn, chained on MathJax's startup promise so typesets never overlap.
document$.subscribe(() => {
  if (!pageHasMath()) return;
  const mj = window.MathJax;
  if (!mj.startup) {
    if (!document.querySelector(`script[src="${MATHJAX_SRC}"]`)) {
      const script = document.createElement("script");
      script.src = MATHJAX_SRC;
      script.async = true;
      document.head.append(script);
    }
    return;
  }
  if (!mj.startup.promise || !mj.typesetPromise) return;
  mj.startup.promise = mj.startup.promise
    .then(() => {
      if (mj.startup.output && mj.startup.output.clearCache) mj.startup.output.clearCache();
      mj.typesetClear();
      mj.texReset();
      return mj.typesetPromise();
    })
    .catch((error) => console.error("MathJax typeset failed:", error));
});
