// The register's count for a view shown before it was counted (a search on PostgreSQL): the
// page's rows come first, the number follows. Without JavaScript a link counts on the page.
(function () {
  "use strict";
  var slot = document.querySelector("[data-count-url]");
  if (!slot || !window.fetch) { return; }
  fetch(slot.getAttribute("data-count-url"), {
    credentials: "same-origin",
    headers: { "Accept": "application/json" }
  })
    .then(function (response) {
      if (!response.ok) { throw new Error("count " + response.status); }
      return response.json();
    })
    .then(function (found) { slot.textContent = found.text; })
    .catch(function () {
      // Leave a way to count on the page itself.
      var link = document.createElement("a");
      link.href = slot.getAttribute("data-count-link");
      link.textContent = slot.getAttribute("data-retry") || slot.textContent;
      slot.textContent = "";
      slot.appendChild(link);
    });
})();
