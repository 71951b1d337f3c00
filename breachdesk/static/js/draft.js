// A draft of the report form in this tab's sessionStorage, so that a crash, a lost
// connection or a failed submit does not cost what was typed. sessionStorage, never
// localStorage: office computers are shared, and a tab's storage ends with the tab.
//
//   <form data-draft-key="...">          saved on every change; restored when the form is
//     + data-draft-restore               opened fresh (GET) in the same tab
//   <div data-draft-clear="...">         the thank-you page: the report is stored, drop it
//   <div data-draft-clear-all>           the sign-in page: drop every draft in this tab
//
// File inputs cannot be filled in by a script; the note #draft-restored says so.
(function () {
  "use strict";
  var PREFIX = "breachdesk-draft:";
  var store = null;
  try { store = window.sessionStorage; } catch (e) { return; }
  if (!store) { return; }

  document.querySelectorAll("[data-draft-clear]").forEach(function (el) {
    store.removeItem(PREFIX + el.getAttribute("data-draft-clear"));
  });
  if (document.querySelector("[data-draft-clear-all]")) {
    Object.keys(store).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0) { store.removeItem(key); }
    });
  }

  var form = document.querySelector("form[data-draft-key]");
  if (!form) { return; }
  var key = PREFIX + form.getAttribute("data-draft-key");
  var SKIPPED = ["file", "hidden", "password", "submit", "button", "reset"];

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "pending" && SKIPPED.indexOf(el.type) === -1;
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
  }

  function restore() {
    var draft = null;
    try { draft = JSON.parse(store.getItem(key) || "null"); } catch (e) { return false; }
    if (!draft || !Array.isArray(draft.values)) { return false; }
    var changed = false;
    fields().forEach(function (el) {
      var mine = draft.values.filter(function (pair) { return pair[0] === el.name; })
        .map(function (pair) { return String(pair[1]); });
      if (el.type === "checkbox" || el.type === "radio") {
        var checked = mine.indexOf(el.value) !== -1;
        if (checked !== el.checked) { el.checked = checked; changed = true; }
      } else if (mine.length && el.value !== mine[0]) {
        el.value = mine[0];
        changed = true;
      }
    });
    return changed;
  }

  if (form.hasAttribute("data-draft-restore") && restore()) {
    var note = document.getElementById("draft-restored");
    if (note) { note.hidden = false; }
    var box = document.getElementById("reported_by_processor");
    if (box && box.checked && box.closest("details")) { box.closest("details").open = true; }
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", save);
})();
