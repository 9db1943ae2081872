// MathJax for pymdownx.arithmatex (generic mode), loaded only by pages that have math, and
// re-typeset on Material's instant navigation.
//
// MathJax is served from this site (javascripts/mathjax/), not from a CDN, so math renders
// for offline readers and in the browser tests. Files from npm mathjax@3.2.2 (es5/):
//   mathjax/tex-chtml.js                      TeX input, HTML output (263 kB gzip)
//   mathjax/input/tex/extensions/*.js         TeX packages, fetched only when a formula uses
//                                             one that tex-chtml.js lacks (\boldsymbol, \cancel, …)
//   mathjax/output/chtml/fonts/woff-v2/*.woff MathJax's fonts, fetched only when used
//   mathjax/ui/safe.js                        filters what untrusted TeX may ask for
//   mathjax/ui/lazy.js                        typesets formulas when they come into view
//   mathjax/LICENSE                           Apache-2.0, from the same package
//   tarball https://registry.npmjs.org/mathjax/-/mathjax-3.2.2.tgz
//   integrity sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==
// Why: a page without a formula loads none of it; a page with formulas loads about a third
// of what tex-svg-full.js weighed (718 kB gzip, 84% of a day page's bytes), asynchronously,
// so it never holds up the first paint. ui/safe filters what untrusted math (abstracts, LLM
// output) may ask for: no javascript: links from \href, no arbitrary CSS from \style,
// \class, \cssId.
const MATHJAX_SRC = new URL("mathjax/tex-chtml.js", document.currentScript.src).href;

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
// The first page with math loads MathJax, which typesets it once it starts. Afterwards each
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
