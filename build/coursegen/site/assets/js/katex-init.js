/* Typeset the math that pymdownx.arithmatex wrapped in \( \) and \[ \], with the
   KaTeX shipped inside the site (assets/katex/). KaTeX (a quarter of a megabyte) is
   loaded only by pages that have math: the home page and other prose pages never
   fetch it. Material's document$ fires on every page load. */
(function () {
  "use strict";
  const base = new URL("../katex/", document.currentScript.src);
  let loading = null;

  function load() {
    if (loading) return loading;
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("katex.min.css", base);
    document.head.append(css);
    const script = (name) => new Promise((done, fail) => {
      const s = document.createElement("script");
      s.src = new URL(name, base);
      s.onload = done;
      s.onerror = () => fail(new Error("cannot load " + s.src));
      document.head.append(s);
    });
    loading = script("katex.min.js").then(() => script("contrib/auto-render.min.js"));
    return loading;
  }

  /* The math inside one element; the handouts call it for the pages they append. */
  window.cgTypesetMath = (root) => load().then(() => renderMathInElement(root, {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  }));

  document$.subscribe(({ body }) => {
    if (body.querySelector(".arithmatex")) window.cgTypesetMath(body);
  });
})();
