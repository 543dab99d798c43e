/* A page built before a worksheet's solutions were released says when they come:
   "Solutions from <time>" (coursegen.site.worksheets). The site is published again on a
   schedule (hourly in the course's workflow), so a reader may open that copy after the
   moment has passed: the line then says that the solutions are out and arrive with the
   next publication, instead of promising a time that has gone by. */
(function () {
  "use strict";

  function update() {
    const now = Date.now();
    for (const line of document.querySelectorAll("[data-solutions-from]")) {
      const time = line.querySelector("time");
      const due = Date.parse(line.dataset.solutionsFrom);
      if (!time || line.dataset.passed === "true") continue;
      if (!(now >= due)) {
        // a page left open until the moment: say it then (a timer's longest wait is 2^31 - 1 ms)
        if (due - now < 2147483647 && !line.dataset.waiting) {
          line.dataset.waiting = "true";
          setTimeout(update, due - now + 1000);
        }
        continue;
      }
      line.dataset.passed = "true";
      line.replaceChildren(
        "Solutions released ",
        time,
        "; they appear here when the site is next published: reload in a while.",
      );
    }
  }

  // Material's instant navigation swaps pages without loading them: update each one.
  if (window.document$) window.document$.subscribe(update);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", update);
  else update();
})();
