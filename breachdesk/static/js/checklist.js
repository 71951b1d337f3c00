// Live preview of the recommendation while the FG answers the checklist. The server runs the
// same assessment function as on saving; without JavaScript the "Show recommendation" button
// does the same with a full page load.
(function () {
  "use strict";
  var form = document.getElementById("checklist-form");
  var panel = document.getElementById("preview-panel");
  if (!form || !panel || !window.fetch) { return; }
  var timer = null;
  var counter = 0;
  function refresh() {
    var mine = ++counter;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      // 200: a recommendation; 422: "correct the marked answers". Anything else (a 503 while
      // the database is busy) is a whole error page: keep the last preview instead.
      if (response.status !== 200 && response.status !== 422) { throw new Error(response.status); }
      return response.text();
    }).then(function (html) { if (mine === counter) { panel.innerHTML = html; } })
      .catch(function () { /* keep the last preview; saving still works */ });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
})();
