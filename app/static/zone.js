// Pre-select the visitor's own time zone in a zone picker marked data-preselect-zone, unless a choice was
// already made (data-remembered="true") or the form came back with errors.
// Times stay in the zone the page states until the visitor submits the form.
(function () {
  "use strict";
  if (!window.Intl || document.getElementById("form-errors")) {
    return;
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("select[data-preselect-zone]").forEach(function (select) {
    if (select.dataset.remembered === "true") {
      return;
    }
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].value === zone) {
        select.selectedIndex = i;
        return;
      }
    }
  });
})();
