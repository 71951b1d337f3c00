// Live countdowns: every element with data-deadline (ISO 8601, UTC) shows the time left,
// updated each second; every status badge with data-status-deadline follows the status it
// implies (open, due soon, overdue), and so does its inbox row or incident banner
// (data-clock-host). The server renders the same text first, so the page is right without
// JavaScript too, and a page left open stays right.
//
// Time is counted on the server's clock, not the visitor's: data-now carries the server's time
// when the page was made, and the difference with this computer's clock at load is applied to
// every later reading, so a computer whose clock is off still shows the true time left. The
// "due soon" threshold comes from the server too (body data-due-soon, in seconds).
(function () {
  "use strict";
  var COLOURS = { open: "info", due_soon: "warning", overdue: "danger" };
  var LABELS = { open: "labelOpen", due_soon: "labelDueSoon", overdue: "labelOverdue" };
  var dueSoon = Number(document.body.dataset.dueSoon) || 12 * 3600;
  var skew = 0;  // server time minus this computer's time, in milliseconds
  var first = document.querySelector("[data-deadline][data-now]");
  if (first && !isNaN(Date.parse(first.dataset.now))) {
    skew = Date.parse(first.dataset.now) - Date.now();
  }

  // Whole seconds, the fraction cut off as the server cuts it (Python's int()): the first
  // reading then shows what the server rendered, and the count never steps back up.
  function secondsLeft(iso) { return Math.trunc((Date.parse(iso) - (Date.now() + skew)) / 1000); }
  function statusOf(secs) { return secs < 0 ? "overdue" : (secs <= dueSoon ? "due_soon" : "open"); }
  function colour(el, prefix, status) {
    Object.keys(COLOURS).forEach(function (s) { el.classList.toggle(prefix + COLOURS[s], s === status); });
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function renderCountdown(el) {
    var secs = secondsLeft(el.dataset.deadline);
    if (isNaN(secs)) { return; }
    var s = Math.abs(secs);
    // From two days on the days are counted apart, as clock_view.duration_text does.
    var days = s >= 48 * 3600 ? Math.floor(s / 86400) : 0;
    var rest = s - days * 86400;
    var text = (days ? days + " d " : "") + Math.floor(rest / 3600) + ":" +
      pad(Math.floor((rest % 3600) / 60)) + ":" + pad(rest % 60);
    el.textContent = (secs < 0 ? el.dataset.over : el.dataset.left).replace("{t}", text);
    colour(el, "text-bg-", statusOf(secs));
  }

  function renderStatus(el) {
    var secs = secondsLeft(el.dataset.statusDeadline);
    if (isNaN(secs)) { return; }
    var status = statusOf(secs);
    if (el.dataset.status === status) { return; }
    el.dataset.status = status;
    el.textContent = el.dataset[LABELS[status]] || status;
    colour(el, "text-bg-", status);
    var host = el.closest("[data-clock-host]");
    if (host && host.dataset.clockHost === "table") {
      host.classList.toggle("table-danger", status === "overdue");  // inbox row
    } else if (host) {
      colour(host, host.dataset.clockHost + "-", status);  // the incident page's banner
    }
  }

  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(renderCountdown);
    document.querySelectorAll("[data-status-deadline]").forEach(renderStatus);
  }
  tick();
  window.setInterval(tick, 1000);
  // Says the server's time has been read and the count is live (browser tests wait for it
  // before moving the clock on, which would otherwise be taken into the skew).
  document.documentElement.dataset.clock = "live";
})();
