// A printable document's "Print" button (no inline script: the CSP forbids it).
(function () {
  "use strict";
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
