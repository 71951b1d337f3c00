// Copy buttons of the AP answer sheet: one answer, or a whole chapter ("1.1 Question\nAnswer"),
// for the FG who fills in the AP's web form in another window. Without JavaScript the
// answers can still be selected and copied by hand.
(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  function say(text) { if (status) { status.textContent = text; } }
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallback(text); });
    }
    return fallback(text);
  }
  function flash(button, ok) {
    var label = button.getAttribute("data-label-done") || button.textContent;
    if (!button.getAttribute("data-label-done")) { button.setAttribute("data-label-done", label); }
    button.textContent = ok ? "\u2713 " + label : "\u2717 " + label;
    say(ok ? label + " \u2713" : label + " \u2717");
    setTimeout(function () { button.textContent = label; }, 1500);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy], [data-copy-chapter]");
    if (!button) { return; }
    var text;
    if (button.hasAttribute("data-copy")) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      text = source ? source.textContent : "";
    } else {
      var chapter = button.getAttribute("data-copy-chapter");
      var parts = [];
      document.querySelectorAll('[data-copy-source][data-chapter="' + chapter + '"]').forEach(
        function (node) { parts.push(node.getAttribute("data-label") + "\n" + node.textContent); }
      );
      text = parts.join("\n\n");
    }
    copy(text).then(function () { flash(button, true); }, function () { flash(button, false); });
  });
})();
