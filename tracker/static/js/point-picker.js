// Point picker: the quick-entry box of the session form becomes a combobox (the ARIA
// pattern: a listbox of suggestions, aria-activedescendant on the box). Whatever the point
// search accepts (LI4, li-4, SJ5, hegu, He Gu, 合谷, Union Valley) suggests points with their
// code, pinyin, hanzi, English and caution badges; the arrow keys and Enter, or a tap, add
// the point as a new row at once, its side set (midline for GV and CV, both otherwise).
//
// The row is a copy of the server's own row markup (the <template id="point-row-template">
// of templates/sessions/_rows.html) named as the next row of the list, so saving posts it
// like any other row and the server validates it the same way. Enter with no suggestion
// chosen still sends the box to the server's "Add to list", and without script the box is
// the plain quick-entry field.
(function () {
  "use strict";
  var form = document.querySelector("form.session-form");
  var box = form && form.querySelector(".quick-entry[data-search-url]");
  var input = box && box.querySelector("input[name=quick_entry]");
  var list = document.getElementById("point-suggestions");
  var template = document.getElementById("point-row-template");
  var table = document.getElementById("point-table");
  if (!input || !list || !template || !template.content || !table || !window.fetch) {
    return;
  }
  var status = document.getElementById("picker-status");
  var searchUrl = box.getAttribute("data-search-url");
  var INDEX = template.getAttribute("data-index-placeholder");
  var NUMBER = template.getAttribute("data-number-placeholder");
  var POINT = "__point__";

  var results = [];
  var active = -1;
  var asked = 0; // the number of the latest search sent: older answers are dropped
  var typed = null; // {start, end, value}: the part of the box the suggestions are for
  var timer = null;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  box.classList.add("picker-ready");

  function text(name) {
    return box.getAttribute("data-" + name) || "";
  }

  function fill(pattern, values) {
    return pattern.replace(/%\((\w+)\)s/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  // The entry being typed: quick entry splits entries at commas, semicolons and new lines.
  function currentEntry() {
    var value = input.value;
    var start = Math.max(value.lastIndexOf(","), value.lastIndexOf(";"), value.lastIndexOf("\n")) + 1;
    var entry = value.slice(start);
    var lead = entry.length - entry.replace(/^\s+/, "").length;
    return { start: start + lead, end: value.length, text: entry.trim(), value: value };
  }

  function search(query) {
    var url = searchUrl + (searchUrl.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { return data.results || []; });
  }

  function suggest() {
    var entry = currentEntry();
    var number = ++asked;
    if (!entry.text) {
      close();
      return;
    }
    search(entry.text).then(function (found) {
      // "BL18 BL2": the whole entry matches nothing, its last word (a code being typed)
      // does; "SP6 b/l" or "LI4 12mm" end in a side or a depth, not in a point.
      var words = entry.text.split(/\s+/);
      var last = words[words.length - 1];
      if (found.length || words.length < 2 || !/^[A-Za-z]{1,3}-?[A-Za-z]*\d{1,2}$/.test(last)) {
        return { found: found, start: entry.start };
      }
      return search(last).then(function (more) {
        return { found: more, start: entry.end - last.length };
      });
    }).then(function (answer) {
      if (number !== asked) {
        return;
      }
      typed = { start: answer.start, end: entry.end, value: entry.value };
      show(answer.found);
    }).catch(function () { close(); });
  }

  function badge(item) {
    var span = document.createElement("span");
    span.className = "badge picker-badge picker-badge-" + item.kind;
    span.textContent = item.label;
    if (item.title) {
      span.title = item.title;
    }
    return span;
  }

  function part(className, value, lang) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = value;
    if (lang) {
      span.lang = lang;
    }
    return span;
  }

  function show(found) {
    results = found;
    active = -1;
    list.textContent = "";
    if (!found.length) {
      close();
      return;
    }
    found.forEach(function (point, index) {
      var option = document.createElement("li");
      option.id = list.id + "-" + index;
      option.className = "picker-option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.appendChild(part("picker-code", point.code));
      var names = document.createElement("span");
      names.className = "picker-names";
      names.appendChild(part("picker-pinyin", point.pinyin));
      if (point.hanzi) {
        names.appendChild(part("picker-hanzi", point.hanzi, "zh"));
      }
      if (point.english) {
        names.appendChild(part("picker-english", point.english));
      }
      option.appendChild(names);
      (point.badges || []).forEach(function (item) { option.appendChild(badge(item)); });
      list.appendChild(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    results = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    active = (index + options.length) % options.length;
    Array.prototype.forEach.call(options, function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
      option.classList.toggle("active", i === active);
    });
    var chosen = options[active];
    input.setAttribute("aria-activedescendant", chosen.id);
    chosen.scrollIntoView({ block: "nearest" });
  }

  // Every placeholder of the row template replaced: in attributes and in text.
  function replaceIn(node, values) {
    function swap(value) {
      return value.split(INDEX).join(values.index).split(NUMBER).join(values.number)
        .split(POINT).join(values.code);
    }
    if (node.nodeType === Node.TEXT_NODE) {
      node.nodeValue = swap(node.nodeValue);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    Array.prototype.forEach.call(node.attributes, function (attribute) {
      if (attribute.value.indexOf("__") !== -1) {
        attribute.value = swap(attribute.value);
      }
    });
    Array.prototype.forEach.call(node.childNodes, function (child) { replaceIn(child, values); });
  }

  function nextIndex() {
    var highest = -1;
    Array.prototype.forEach.call(table.querySelectorAll("tbody.point-entry[data-index]"), function (row) {
      var index = parseInt(row.getAttribute("data-index"), 10);
      if (!isNaN(index) && index > highest) {
        highest = index;
      }
    });
    return highest + 1;
  }

  function addRow(point) {
    var rows = table.querySelectorAll("tbody.point-entry");
    var limit = parseInt(box.getAttribute("data-max-rows") || "0", 10);
    if (limit && rows.length >= limit) {
      announce(fill(text("too-many"), { most: limit }));
      return null;
    }
    var values = { index: String(nextIndex()), number: String(rows.length + 1), code: point.code };
    var copy = template.content.cloneNode(true);
    var entry = copy.querySelector("tbody.point-entry");
    replaceIn(entry, values);
    var side = entry.querySelector("input[type=radio][value='" + point.default_side + "']");
    if (side) {
      side.checked = true;
    }
    var empty = table.querySelector("tbody.no-points");
    if (empty) {
      empty.remove();
    }
    table.appendChild(entry);
    entry.classList.add("just-added");
    window.setTimeout(function () { entry.classList.remove("just-added"); }, 1600);
    // The caution preview (session-form.js) asks again when a row's code changes.
    entry.querySelector("input[name$='-code']").dispatchEvent(new Event("change", { bubbles: true }));
    var sideLabel = side ? form.querySelector("label[for='" + side.id + "'] .visually-hidden") : null;
    var message = fill(text("added"), {
      point: point.code, number: values.number, side: sideLabel ? sideLabel.textContent : ""
    });
    if (point.needs_level) {
      message += " " + fill(text("needs-level"), { point: point.code });
    }
    announce(message);
    return entry;
  }

  function announce(message) {
    if (status) {
      status.textContent = message;
    }
  }

  // Adding a suggestion takes what it was found for out of the box; the rest stays for
  // "Add to list".
  function choose(index) {
    var point = results[index];
    if (!point || !addRow(point)) {
      return;
    }
    if (typed && input.value === typed.value) {
      var rest = (input.value.slice(0, typed.start) + input.value.slice(typed.end))
        .trim().replace(/[,;]$/, "").trim();
      input.value = rest ? rest + ", " : "";
    }
    close();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  }

  input.addEventListener("input", function (event) {
    if (event.isTrusted === false) {
      return; // our own clearing after a pick
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 150);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && results.length > 0;
    if (event.key === "ArrowDown" || event.key === "Down") {
      event.preventDefault();
      if (open) {
        highlight(active + 1);
      } else {
        suggest();
      }
    } else if ((event.key === "ArrowUp" || event.key === "Up") && open) {
      event.preventDefault();
      highlight(active < 0 ? results.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault(); // a chosen suggestion is added here, not sent to the server
      choose(active);
    } else if ((event.key === "Escape" || event.key === "Esc") && open) {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      close();
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(function () {
      if (document.activeElement !== input) {
        close();
      }
    }, 150);
  });

  // A press on a suggestion keeps the focus (and a tablet's keyboard) in the box.
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  list.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) {
      choose(Array.prototype.indexOf.call(list.children, option));
    }
  });
})();
