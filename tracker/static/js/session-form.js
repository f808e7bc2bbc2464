// Session form: ask the caution engine again whenever a point, side, depth, angle, technique,
// the episode or the quick-entry text changes, so a caution shows the moment a point is typed
// (no page reload), in the quick-entry box before "Add to list" too. Without JavaScript the
// same cautions appear each time the form comes back from the server.
(function () {
  "use strict";

  var form = document.querySelector("form.session-form[data-cautions-url]");
  if (!form || !window.fetch) {
    return;
  }
  var live = document.getElementById("cautions-live");
  var panel = document.getElementById("cautions");
  var overrideBox = document.getElementById("override-box");
  var quickBox = document.getElementById("quick-cautions");
  // Which point-row fields matter to the engine comes from the row schema (the page says).
  var rowFields = (form.getAttribute("data-caution-fields") || "").split(" ").join("|");
  var watched = new RegExp("^(points-\\d+-(" + rowFields + ")|adjuncts-\\d+-(kind|cupping_method)" +
                           "|episode_id|session_date|start_time|quick_entry)$");
  var timer = null;
  var latest = 0;

  function refresh() {
    var request = ++latest;
    var body = new FormData(form);
    body.set("action", "preview");
    fetch(form.getAttribute("data-cautions-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data || request !== latest) {
        return; // a newer answer is on its way
      }
      live.innerHTML = data.html; // rendered and escaped by the server's own template
      showRowCautions(data.rows || {});
      if (quickBox) {
        fillCautions(quickBox, data.quick || []);
      }
      var severities = data.cautions.map(function (c) { return c.severity; });
      var contraindicated = severities.indexOf("contraindicated") !== -1;
      var warning = severities.indexOf("warning") !== -1;
      panel.classList.remove("alert-danger", "alert-warning", "alert-light", "border");
      panel.classList.add(contraindicated ? "alert-danger" : (warning ? "alert-warning" : "alert-light"));
      if (!contraindicated && !warning) {
        panel.classList.add("border");
      }
      if (contraindicated) {
        overrideBox.classList.remove("d-none");
      }
    }).catch(function () { /* offline for a moment: the server checks again on save */ });
  }

  function fillCautions(box, found) {
    // Unchanged, left alone: a live region re-read at every keystroke is only noise.
    var shown = JSON.stringify(found.map(function (c) { return [c.severity, c.message]; }));
    if (box.getAttribute("data-shown") === shown) {
      return;
    }
    box.setAttribute("data-shown", shown);
    box.textContent = "";
    found.forEach(function (caution) {
      var line = document.createElement("div");
      line.className = "row-caution small caution-" + caution.severity;
      line.textContent = caution.message;
      box.appendChild(line);
    });
  }

  function showRowCautions(rows) {
    var boxes = form.querySelectorAll(".row-cautions[data-row]");
    Array.prototype.forEach.call(boxes, function (box) {
      fillCautions(box, rows[box.getAttribute("data-row")] || []);
    });
  }

  function changed(event) {
    if (event.target && watched.test(event.target.name || "")) {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    }
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  // Typed before this script ran (a slow network), or put back by the browser's Back button:
  // the server drew the panel without it, so ask now.
  var quickEntry = form.elements.namedItem("quick_entry");
  if (quickEntry && quickEntry.value) {
    refresh();
  }
})();
