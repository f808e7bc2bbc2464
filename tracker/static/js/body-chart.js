// Body chart on the session form (templates/points/_body_chart.html). It draws the catalog's
// points, and a tap on the body opens a small chooser: the points near the tap (with their
// sides), an Ashi point at that spot ("Ashi: left T7 paraspinal"), and the session's own
// rows there. Choosing adds that text to the quick-entry box and submits the form through
// its own "Add to list" button, so the server parses it exactly as if it had been typed.
// Without JavaScript the chart is a picture; every marker is a link to its row.
(function () {
  "use strict";
  var figure = document.querySelector(".body-chart-interactive");
  var form = figure && figure.closest("form");
  var quick = form && form.querySelector("[name=quick_entry]");
  var parse = form && form.querySelector("button[name=action][value=parse]");
  var svg = figure && figure.querySelector("svg");
  if (!quick || !parse || !svg || !svg.createSVGPoint) {
    return;
  }

  function read(name) {
    return JSON.parse(figure.getAttribute("data-" + name) || "null");
  }

  var targets = read("targets") || [];
  var names = read("names") || {};
  var zones = read("zones") || [];
  var midlines = read("midlines");
  var words = read("strings");
  var chooser = figure.querySelector(".bc-chooser");
  var options = chooser.querySelector(".bc-options");
  var SVG_NS = "http://www.w3.org/2000/svg";
  var TOUCH = 22; // half of a 44 px touch target, in screen pixels
  var SIDE_SHORTHAND = { left: " L", right: " R", bilateral: " bilat", midline: "" };

  var layer = svg.querySelector(".bc-targets");
  targets.forEach(function (target) {
    var dot = document.createElementNS(SVG_NS, "circle");
    dot.setAttribute("cx", target[3]);
    dot.setAttribute("cy", target[4]);
    dot.setAttribute("r", "1.3");
    dot.setAttribute("class", "bc-target");
    layer.appendChild(dot);
  });

  function unitsPerPixel() {
    var matrix = svg.getScreenCTM();
    return matrix && matrix.a ? 1 / matrix.a : 1;
  }

  // Every marker's hit circle is a 44 px touch target whatever the chart's size on screen.
  function sizeHits() {
    var radius = (TOUCH * unitsPerPixel()).toFixed(1);
    Array.prototype.forEach.call(svg.querySelectorAll(".bc-hit"), function (hit) {
      hit.setAttribute("r", radius);
    });
  }

  function chartPoint(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  // The patient faces the viewer on the front view: their left is on the viewer's right.
  function sideOf(view, dx) {
    if (Math.abs(dx) <= 1.5) {
      return "midline";
    }
    return (view === "front") === (dx > 0) ? "left" : "right";
  }

  function zoneAt(view, dx, y) {
    var distance = Math.abs(dx);
    return zones.filter(function (zone) {
      return zone.view === view && distance >= zone.x[0] && distance <= zone.x[1] &&
        y >= zone.y[0] && y <= zone.y[1];
    })[0] || null;
  }

  // The same text as body_chart.ashi_text: "Ashi: left T7 paraspinal".
  function ashiText(zone, side, dx, y) {
    var level = "";
    var nearest = Infinity;
    zone.levels.forEach(function (pair) {
      if (Math.abs(pair[1] - y) < nearest) {
        nearest = Math.abs(pair[1] - y);
        level = pair[0];
      }
    });
    if (side === "midline" && !zone.midline) {
      side = sideOf(zone.view, dx < 0 ? -2 : 2);
    }
    var nearSpine = zone.spine && side !== "midline" && Math.abs(dx) < 15;
    return "Ashi: " + [side, level, nearSpine ? zone.spine : zone.words].filter(Boolean).join(" ");
  }

  function nearbyTargets(x, y, reach) {
    var seen = {};
    return targets.map(function (target) {
      return { target: target, distance: Math.hypot(target[3] - x, target[4] - y) };
    }).filter(function (found) {
      return found.distance <= reach;
    }).sort(function (a, b) {
      return a.distance - b.distance;
    }).filter(function (found) {
      var key = found.target[0] + " " + found.target[1];
      if (seen[key]) {
        return false;
      }
      seen[key] = true;
      return true;
    }).slice(0, 4).map(function (found) { return found.target; });
  }

  // The session's own rows under the tap, nearest first (at most two).
  function nearbyMarkers(x, y, reach) {
    return Array.prototype.map.call(svg.querySelectorAll(".bc-marker"), function (marker) {
      var distance = Infinity;
      Array.prototype.forEach.call(marker.querySelectorAll(".bc-hit"), function (hit) {
        distance = Math.min(distance, Math.hypot(hit.cx.baseVal.value - x,
                                                 hit.cy.baseVal.value - y));
      });
      return { marker: marker, distance: distance };
    }).filter(function (found) {
      return found.distance <= reach;
    }).sort(function (a, b) {
      return a.distance - b.distance;
    }).slice(0, 2).map(function (found) { return found.marker; });
  }

  function button(label, name, primary, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-sm " + (primary ? "btn-primary" : "btn-outline-primary");
    element.textContent = label;
    element.setAttribute("aria-label", name);
    element.addEventListener("click", onClick);
    return element;
  }

  function item(what, detail) {
    var line = document.createElement("li");
    var text = document.createElement("span");
    text.className = "bc-what";
    var strong = document.createElement("strong");
    strong.textContent = what;
    text.appendChild(strong);
    if (detail) {
      text.appendChild(document.createTextNode(" " + detail));
    }
    line.appendChild(text);
    options.appendChild(line);
    return line;
  }

  function add(entry) {
    var typed = quick.value.replace(/[\s,;]+$/, "");
    quick.value = typed ? typed + ", " + entry : entry;
    // Come back to the chart when the page returns with the new row.
    form.action = window.location.pathname + window.location.search + "#" + figure.id;
    if (form.requestSubmit) {
      form.requestSubmit(parse);
    } else {
      parse.click();
    }
  }

  function pointChoices(target, tappedSide) {
    var code = target[0] + (target[1] ? " " + target[1] : "");
    var line = item(code, names[target[0]] || "");
    var group = document.createElement("span");
    group.className = "bc-sides";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", code);
    var sides = target[2] === "midline" ? ["midline"] : ["left", "bilateral", "right"];
    var preferred = target[2] === "midline" ? "midline" : tappedSide;
    sides.forEach(function (side) {
      var label = words[side === "bilateral" ? "both" : side];
      group.appendChild(button(label, code + ": " + label, side === preferred, function () {
        add(code + SIDE_SHORTHAND[side]);
      }));
    });
    line.appendChild(group);
  }

  function open(event) {
    var at = chartPoint(event);
    var view = at.x < (midlines.front + midlines.back) / 2 ? "front" : "back";
    var dx = at.x - midlines[view];
    var reach = TOUCH * 1.3 * unitsPerPixel();
    var onBody = !!(event.target.closest && event.target.closest(".bc-body, .bc-marker"));
    var zone = onBody ? zoneAt(view, dx, at.y) : null;
    var near = nearbyTargets(at.x, at.y, reach);
    var markers = nearbyMarkers(at.x, at.y, TOUCH * unitsPerPixel());
    options.textContent = "";
    near.forEach(function (target) {
      pointChoices(target, target[2] === "midline" ? "bilateral" : target[2]);
    });
    if (zone) {
      var ashi = ashiText(zone, sideOf(view, dx), dx, at.y);
      var line = item(ashi, "");
      line.appendChild(button(words.add, words.ashi + ": " + ashi, !near.length, function () {
        add(ashi);
      }));
    }
    markers.forEach(function (marker) {
      var row = item(words.row.replace("{n}", marker.getAttribute("data-number")),
                     marker.getAttribute("data-label"));
      var link = document.createElement("a");
      link.className = "btn btn-sm btn-outline-secondary";
      link.href = marker.getAttribute("href");
      link.textContent = words.go;
      link.addEventListener("click", function (click) {
        click.preventDefault();
        close();
        goToRow(marker);
      });
      row.appendChild(link);
    });
    if (!options.children.length) {
      close();
      return;
    }
    chooser.hidden = false;
    var box = figure.getBoundingClientRect();
    var left = Math.min(event.clientX - box.left + 8, box.width - chooser.offsetWidth);
    chooser.style.left = Math.max(0, left) + "px";
    chooser.style.top = (event.clientY - box.top + 8) + "px";
    var first = chooser.querySelector(".btn-primary") || chooser.querySelector(".btn");
    if (first) {
      first.focus({ preventScroll: true });
    }
  }

  function close() {
    chooser.hidden = true;
  }

  function goToRow(marker) {
    var field = document.getElementById("points-" + marker.getAttribute("data-row") + "-code");
    if (field) {
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  }

  svg.addEventListener("click", function (event) {
    var marker = event.target.closest && event.target.closest(".bc-marker");
    if (marker && event.detail === 0) {
      event.preventDefault(); // Enter on a focused marker: go to its row
      goToRow(marker);
      return;
    }
    if (marker) {
      event.preventDefault();
    }
    open(event);
  });
  chooser.querySelector(".bc-close").addEventListener("click", close);
  chooser.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      close();
    }
  });
  document.addEventListener("click", function (event) {
    if (!chooser.hidden && !figure.contains(event.target)) {
      close();
    }
  });
  window.addEventListener("resize", sizeHits);
  sizeHits();
})();
