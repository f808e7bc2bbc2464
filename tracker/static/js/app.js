// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // After a failed submit, move focus to the error summary so keyboard and screen-reader users
  // land on it, then to the first invalid field when they press Tab.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("conflict") || document.getElementById("form-errors");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  });
})();
