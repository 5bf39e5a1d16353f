// Forms that send themselves when a choice changes: <select data-autosubmit>, and
// <select data-autosubmit data-autosubmit-clear="period"> to empty the field named
// "period" first.  A static file rather than onchange="…" attributes: the
// Content-Security-Policy (danso/web/security.py) runs no inline code.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.form || !field.hasAttribute || !field.hasAttribute("data-autosubmit")) { return; }
    var clear = field.getAttribute("data-autosubmit-clear");
    if (clear && field.form.elements[clear]) { field.form.elements[clear].value = ""; }
    field.form.submit();
  });
})();
