// The progress chart: show what was done at a session beside the chart when its marker is
// pointed at or reached with the keyboard (the marker's own title and link work without this).
(function () {
  "use strict";
  var panel = document.getElementById("visit-details");
  if (!panel) {
    return;
  }
  function show(event) {
    var marker = event.target.closest ? event.target.closest(".visit-marker") : null;
    if (marker) {
      panel.textContent = marker.getAttribute("data-details");
    }
  }
  document.querySelectorAll(".visit-marker").forEach(function (marker) {
    marker.addEventListener("mouseenter", show);
    marker.addEventListener("focus", show);
  });
})();
