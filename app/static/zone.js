// Pre-select the visitor's own time zone in a zone picker marked data-preselect-zone, unless a choice was
// already made (data-remembered="true") or the form came back with errors. The picker offers a few common
// zones: the visitor's own is added to it when it is not one of them (the server takes any IANA name).
// Times stay in the zone the page states until the visitor submits the form.
(function () {
  "use strict";
  if (!window.Intl || document.getElementById("error-summary")) {
    return;
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) {
    return;
  }
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
    var city = zone.split("/").pop().replace(/_/g, " ");
    // The words around the city come from the page, in its language (data-own-zone, "{city}" marks it).
    var words = select.dataset.ownZone || "{city}";
    var own = new Option(words.replace("{city}", city), zone, true, true);
    select.insertBefore(own, select.firstChild);
    select.selectedIndex = 0;
  });
})();
