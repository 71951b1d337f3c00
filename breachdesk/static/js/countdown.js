// Live countdowns: every element with data-deadline (ISO 8601, UTC) shows the time left,
// updated each second; past the deadline it switches to "overdue" and turns red.
// The server renders the same text first, so the page is right without JavaScript too.
//
// The time left is counted on the server's clock, not the visitor's: data-now carries the
// server's time when the page was made, and the difference with this computer's clock at load
// is applied to every later reading. A laptop whose clock is hours off (or in the wrong time
// zone setting) still shows the true time left.
(function () {
  "use strict";
  var skew = 0;  // server time minus this computer's time, in milliseconds
  var first = document.querySelector("[data-deadline][data-now]");
  if (first) {
    var serverNow = Date.parse(first.dataset.now);
    if (!isNaN(serverNow)) { skew = serverNow - Date.now(); }
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function render(el) {
    var deadline = Date.parse(el.dataset.deadline);
    if (isNaN(deadline)) { return; }
    var secs = Math.round((deadline - (Date.now() + skew)) / 1000);
    var over = secs < 0;
    var s = Math.abs(secs);
    var text = Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    el.textContent = over ? el.dataset.over.replace("{t}", text) : el.dataset.left.replace("{t}", text);
    el.classList.toggle("text-bg-danger", over);
    el.classList.toggle("text-bg-warning", !over && secs <= 12 * 3600);
    el.classList.toggle("text-bg-info", !over && secs > 12 * 3600);
  }
  // A page left open keeps its status right too: "open" becomes "due soon" 12 hours before the
  // deadline and "overdue" after it, with the colours of the badge, the row or the banner.
  var COLOURS = { open: "info", due_soon: "warning", overdue: "danger" };
  var LABELS = { open: "labelOpen", due_soon: "labelDueSoon", overdue: "labelOverdue" };
  function renderStatus(el) {
    var deadline = Date.parse(el.dataset.statusDeadline);
    if (isNaN(deadline)) { return; }
    var secs = (deadline - (Date.now() + skew)) / 1000;
    var status = secs < 0 ? "overdue" : (secs <= 12 * 3600 ? "due_soon" : "open");
    if (el.dataset.status === status) { return; }
    el.dataset.status = status;
    el.textContent = el.dataset[LABELS[status]] || status;
    Object.keys(COLOURS).forEach(function (s) { el.classList.toggle("text-bg-" + COLOURS[s], s === status); });
    var host = el.closest("[data-clock-host]");
    if (!host) { return; }
    var prefix = host.dataset.clockHost;  // "table" for an inbox row, "alert" for the banner
    if (prefix === "table") {
      host.classList.toggle("table-danger", status === "overdue");
    } else {
      Object.keys(COLOURS).forEach(function (s) { host.classList.toggle(prefix + "-" + COLOURS[s], s === status); });
    }
  }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(render);
    document.querySelectorAll("[data-status-deadline]").forEach(renderStatus);
  }
  tick();
  window.setInterval(tick, 1000);
})();
