// On every page. A form sent back with errors: the summary at its top takes the focus, so a
// screen reader reads it out and a keyboard user starts from its links to the fields (a live
// region present when the page loads is not reliably announced; WCAG 3.3.1, 4.1.3).
(function () {
  "use strict";
  var summary = document.getElementById("form-errors");
  if (!summary) { return; }
  summary.setAttribute("tabindex", "-1");
  summary.focus();
})();
