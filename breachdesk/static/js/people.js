// Informing the people affected: live readability of the notice while the FG types, and
// the live progress of a mailing (polled from the server; the scheduler does the sending).
(function () {
  "use strict";

  var form = document.getElementById("notice-form");
  if (form && window.fetch) {
    var url = form.getAttribute("data-readability");
    var token = form.querySelector("input[name=csrf_token]");
    var timer = null;
    var text = function () {
      var parts = [];
      form.querySelectorAll("[data-section] textarea").forEach(function (area) {
        parts.push(area.value);
      });
      return parts.join("\n\n");
    };
    var sections = function () {
      var found = {};
      form.querySelectorAll("[data-section]").forEach(function (box) {
        var area = box.querySelector("textarea");
        if (area) { found[box.getAttribute("data-section")] = area.value; }
      });
      return found;
    };
    // The Art. 34(2) box says what approving would refuse, as the FG types.
    var missing = function (items) {
      var box = document.getElementById("elements");
      if (!box || !items) { return; }
      var list = box.querySelector("ul[data-missing-list]");
      var done = box.querySelector("p[data-complete]");
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("data-missing", item.key);
        li.textContent = box.getAttribute("data-missing-word") + ": " + item.label;
        list.appendChild(li);
      });
      list.hidden = !items.length;
      done.hidden = !!items.length;
    };
    var list = function (host, title, items) {
      host.textContent = "";
      if (!items.length) { return; }
      var strong = document.createElement("strong");
      strong.textContent = title + ":";
      var ul = document.createElement("ul");
      ul.className = "mb-1";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item;
        ul.appendChild(li);
      });
      host.appendChild(strong);
      host.appendChild(ul);
    };
    var update = function () {
      var lang = form.querySelector("select[name=lang]");
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token ? token.value : ""},
        body: JSON.stringify({text: text(), lang: lang ? lang.value : "nl", sections: sections()})
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data) { return; }
        missing(data.missing);
        var box = document.getElementById("readability");
        document.getElementById("readability-score").textContent =
          data.score === null ? "—" : String(data.score);
        document.getElementById("readability-band").textContent = data.band;
        list(document.getElementById("readability-long"), box.getAttribute("data-long") || "Long sentences", data.long_sentences);
        list(document.getElementById("readability-jargon"), box.getAttribute("data-jargon") || "Difficult words",
          data.jargon.map(function (pair) { return pair[0] + " → " + pair[1]; }));
      }).catch(function () { /* the figure stays as it was; saving still works */ });
    };
    // Showing breachdesk's draft replaces the text: ask first when something is unsaved.
    var unsaved = false;
    var redraft = form.querySelector("[data-confirm-unsaved]");
    if (redraft) {
      redraft.addEventListener("click", function (event) {
        if (unsaved && !window.confirm(redraft.getAttribute("data-confirm-unsaved"))) {
          event.preventDefault();
        }
      });
    }
    form.addEventListener("input", function () {
      unsaved = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 600);
    });
  }

  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    var status = box.getAttribute("data-status");
    if (status !== "running" && status !== "preparing") { return; }
    var bar = box.querySelector("progress");
    var poll = function () {
      fetch(box.getAttribute("data-progress-url"), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          bar.value = data.percent;
          bar.textContent = data.percent + "%";
          box.setAttribute("data-sent", String(data.sent));
          if (data.status !== status) { window.location.reload(); return; }
          var counts = box.querySelector(".mailing-counts");
          if (counts && counts.getAttribute("data-template")) {
            counts.textContent = counts.getAttribute("data-template")
              .replace("{sent}", data.sent).replace("{total}", data.total)
              .replace("{failed}", data.failed).replace("{open}", data.open);
          }
          window.setTimeout(poll, 2000);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  });
})();
