/* Typeset the math that pymdownx.arithmatex wrapped in \( \) and \[ \], with the
   KaTeX shipped inside the site. Material's document$ fires on every page load,
   including instant navigation. */
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  });
});
