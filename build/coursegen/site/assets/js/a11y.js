/* Accessibility fixes to Material's own markup that CSS cannot make (axe-core checks
   every page in tests/test_a11y.py, on a phone and a desktop). */
(function () {
  "use strict";

  // What scrolls sideways when it is wider than the column: Material's wrapper of a
  // table, and a display formula (KaTeX's, inside pymdownx.arithmatex's block).
  const SCROLLERS = [
    [".md-typeset__scrollwrap", "Table"],
    [".md-typeset div.arithmatex", "Formula"],
  ];

  // A region that scrolls must be reachable from the keyboard, or what it hides cannot
  // be read without a mouse (WCAG 2.1.1, axe rule scrollable-region-focusable): while
  // it is wider than its box, it is a named, focusable region (the arrow keys scroll
  // it); once it fits, it is plain again and takes no tab stop.
  function mark(el, name) {
    const scrolls = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible";
    if (scrolls && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", `${name}, scrolls sideways`);
      el.dataset.cgScroll = "";
    } else if (!scrolls && "cgScroll" in el.dataset) {
      for (const attr of ["tabindex", "role", "aria-label", "data-cg-scroll"]) el.removeAttribute(attr);
    }
  }

  let scrollers = [];
  let pending = false;
  function check() {
    pending = false;
    for (const [el, name] of scrollers) mark(el, name);
  }
  function later() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(check);
    }
  }

  // Checked again whenever one changes size (the viewport turns) or the page's content
  // changes (the math is typeset, a solution opens).
  const resized = new ResizeObserver(later);
  const changed = new MutationObserver(later);

  document$.subscribe(() => {
    // Material's search overlay is a role="dialog" without a name (axe rule
    // aria-dialog-name): give it the name of its input.
    const search = document.querySelector('.md-search[role="dialog"]:not([aria-label])');
    if (search) search.setAttribute("aria-label", "Search");

    resized.disconnect();
    changed.disconnect();
    scrollers = SCROLLERS.flatMap(([selector, name]) => [...document.querySelectorAll(selector)].map((el) => [el, name]));
    for (const [el] of scrollers) resized.observe(el);
    const article = document.querySelector("article") || document.body;
    changed.observe(article, { childList: true, subtree: true });
    check();
  });
})();
