// A draft of the report form in this tab's sessionStorage, so that a crash, a lost
// connection or a failed submit does not cost what was typed. sessionStorage, never
// localStorage: office computers are shared, and a tab's storage ends with the tab.
//
//   <form data-draft-key="...">          saved on every change; restored when the form is
//     + data-draft-restore               opened fresh (GET) in the same tab
//   <div data-draft-clear="...">         the thank-you page: the report is stored, drop it
//                                        (and remember it was sent: going back to the form
//                                        shows it empty, with #already-sent, not as the
//                                        browser refilled it, ready to be sent twice)
//   <div data-draft-clear-all>           the sign-in page: drop every draft in this tab
//
// A page may hold several such forms (the AP answer sheet: one per question). Then:
//   data-draft-hidden="version"          hidden fields kept with the draft and restored, so a
//                                        restored answer is saved against the version it was
//                                        typed on (the server's conflict check still works)
//   data-draft-drop-on-submit            the form's own draft is dropped when it is sent: the
//                                        server keeps what was typed if the save fails; the
//                                        other forms' drafts stay and are restored on the
//                                        next page, their <details> opened, [data-draft-note]
//                                        shown
//
// File inputs cannot be filled in by a script; the note #draft-restored says so.
(function () {
  "use strict";
  var PREFIX = "breachdesk-draft:";
  var SENT = "breachdesk-sent:";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }

  document.querySelectorAll("[data-draft-clear]").forEach(function (el) {
    store.removeItem(PREFIX + el.getAttribute("data-draft-clear"));
    try { store.setItem(SENT + el.getAttribute("data-draft-clear"), "1"); } catch (e) { /* full */ }
    el.setAttribute("data-draft-cleared", "");  // done (browser tests wait for it)
  });

  function cameBack() {
    var entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation") : [];
    return entries.length > 0 && entries[0].type === "back_forward";
  }
  if (document.querySelector("[data-draft-clear-all]")) {
    Object.keys(store).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0 || key.indexOf(SENT) === 0) { store.removeItem(key); }
    });
  }

  var SKIPPED = ["file", "hidden", "password", "submit", "button", "reset"];

  function track(form) {
    var key = PREFIX + form.getAttribute("data-draft-key");
    var hidden = (form.getAttribute("data-draft-hidden") || "").split(" ").filter(Boolean);

    // Back to a form whose report was sent (its draft dropped by the thank-you page): the
    // browser refills what was typed, and sending it again made a second report (found by
    // exploratory testing). Empty it and say why; an unsent form keeps its draft.
    var sentBefore = function () {
      return store.getItem(key) === null &&
        store.getItem(SENT + form.getAttribute("data-draft-key")) !== null;
    };
    // Once only, and not over anything typed since (a late load event, or coming back to
    // this page again, must not empty a new report).
    var done = false;
    var empty = function () {
      if (done) { return; }
      done = true;
      form.reset();
      var sent = document.getElementById("already-sent");
      if (sent) { sent.hidden = false; sent.scrollIntoView({ block: "center" }); }
    };
    form.addEventListener("input", function () { done = true; });
    if (cameBack() && sentBefore()) {
      // The browser refills the fields after the scripts ran: empty them once it has.
      window.addEventListener("load", empty);
      window.addEventListener("pageshow", empty);
    }
    // A page restored from the back-forward cache runs no script again: it comes back as it
    // was left, typed in, and only "pageshow" says so (a CI run found the form not emptied).
    // Its own key still goes with it, which the server recognises.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && sentBefore()) {
        done = false;
        empty();
      }
    });

    function fields() {
      return Array.prototype.filter.call(form.elements, function (el) {
        if (!el.name || el.name === "pending") { return false; }
        if (el.type === "hidden") { return hidden.indexOf(el.name) !== -1; }
        return SKIPPED.indexOf(el.type) === -1;
      });
    }

    function save() {
      var values = [];
      fields().forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.checked) { values.push([el.name, el.value]); }
        } else {
          values.push([el.name, el.value]);
        }
      });
      try { store.setItem(key, JSON.stringify({ version: 1, values: values })); } catch (e) { /* full */ }
      // Typed into: a new report, not the one sent before (the note is for a refilled form).
      store.removeItem(SENT + form.getAttribute("data-draft-key"));
    }

    function restore() {
      var draft = null;
      try { draft = JSON.parse(store.getItem(key) || "null"); } catch (e) { return false; }
      if (!draft || !Array.isArray(draft.values)) { return false; }
      var changed = false;
      var kept = [];  // hidden fields: restored only along with something typed
      fields().forEach(function (el) {
        var mine = draft.values.filter(function (pair) { return pair[0] === el.name; })
          .map(function (pair) { return String(pair[1]); });
        if (el.type === "checkbox" || el.type === "radio") {
          var checked = mine.indexOf(el.value) !== -1;
          if (checked !== el.checked) { el.checked = checked; changed = true; }
        } else if (el.type === "hidden") {
          if (mine.length) { kept.push([el, mine[0]]); }
        } else if (mine.length && el.value !== mine[0]) {
          el.value = mine[0];
          changed = true;
        }
      });
      if (changed) { kept.forEach(function (pair) { pair[0].value = pair[1]; }); }
      return changed;
    }

    if (form.hasAttribute("data-draft-restore")) {
      if (restore()) {
        var note = form.querySelector("[data-draft-note]") || document.getElementById("draft-restored");
        if (note) { note.hidden = false; }
        var box = document.getElementById("reported_by_processor");
        if (box && box.checked && box.closest("details")) { box.closest("details").open = true; }
        if (form.closest("details")) { form.closest("details").open = true; }
      } else if (hidden.length) {
        store.removeItem(key);  // nothing differs from the page: a stale draft, drop it
      }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    if (form.hasAttribute("data-draft-drop-on-submit")) {
      form.addEventListener("submit", function () { store.removeItem(key); });
    } else {
      form.addEventListener("submit", save);
    }
  }

  document.querySelectorAll("form[data-draft-key]").forEach(track);
})();
