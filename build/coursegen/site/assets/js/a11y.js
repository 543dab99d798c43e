/* Accessibility fixes to Material's own markup that CSS cannot make (axe-core checks
   every page in tests/test_a11y.py). Material's search overlay is a role="dialog"
   without a name (axe rule aria-dialog-name); give it the name of its input. */
document$.subscribe(() => {
  const search = document.querySelector('.md-search[role="dialog"]:not([aria-label])');
  if (search) search.setAttribute("aria-label", "Search");
});
