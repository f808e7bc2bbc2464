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
      // Its accessible name is the visit's whole line (the page sends it once, not twice).
      panel.textContent = marker.getAttribute("aria-label");
    }
  }
  document.querySelectorAll(".visit-marker").forEach(function (marker) {
    marker.addEventListener("mouseenter", show);
    marker.addEventListener("focus", show);
  });

  // Each marker's transparent hit circle is at least 44 px across on the screen, however small
  // the chart is drawn (a phone shrinks it): its radius is set in the chart's own units.
  var TARGET_PX = 44;
  function sizeTargets() {
    document.querySelectorAll("svg.progress-chart-svg").forEach(function (svg) {
      var box = svg.viewBox && svg.viewBox.baseVal;
      var drawn = svg.getBoundingClientRect().width;
      if (!box || !box.width || !drawn) {
        return;
      }
      var radius = (TARGET_PX / 2) * (box.width / drawn);
      svg.querySelectorAll(".visit-marker circle[fill-opacity='0']").forEach(function (hit) {
        hit.setAttribute("r", Math.max(11, radius).toFixed(1));
      });
    });
  }
  sizeTargets();
  window.addEventListener("resize", sizeTargets);
})();
