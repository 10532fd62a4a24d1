// Pre-select the attendee's own time zone in the registration form, unless the form came back with a choice.
(function () {
  "use strict";
  var select = document.getElementById("timezone");
  if (!select || document.getElementById("form-errors") || !window.Intl) {
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
