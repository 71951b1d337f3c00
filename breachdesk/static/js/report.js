// Progressive enhancement for the report form: show only the count fields that apply.
// The form works fully without this script.
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="subjects_mode"]');
  function update() {
    var mode = document.querySelector('input[name="subjects_mode"]:checked');
    var value = mode ? mode.value : "unknown";
    document.querySelectorAll(".count-fields [data-count]").forEach(function (el) {
      var hasError = el.querySelector(".is-invalid") !== null;
      el.hidden = el.getAttribute("data-count") !== value && !hasError;
    });
  }
  radios.forEach(function (r) { r.addEventListener("change", update); });
  update();
  var box = document.getElementById("reported_by_processor");
  if (box) {
    box.addEventListener("change", function () {
      if (box.checked) { box.closest("details").open = true; }
    });
  }
})();
