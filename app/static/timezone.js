// Pre-select the visitor's own time zone in the picker, unless they already chose one.
// Times stay in the zone the page states until the visitor presses "Show times".
(function () {
  "use strict";
  var select = document.getElementById("tz");
  if (!select || select.dataset.remembered === "true" || !window.Intl) {
    return;
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (var i = 0; i < select.options.length; i += 1) {
    if (select.options[i].value === zone) {
      select.selectedIndex = i;
      return;
    }
  }
})();
