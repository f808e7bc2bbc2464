// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // The 0-10 score buttons (pain on a session, a score on its own, the intake's): a digit typed
  // while the group has the focus picks that score; "1" then "0" within a second picks 10.
  var lastDigit = { group: null, at: 0 };
  document.addEventListener("keydown", function (event) {
    var group = event.target.closest && event.target.closest(".score-row");
    if (!group || !/^[0-9]$/.test(event.key) || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var value = event.key;
    var now = Date.now();
    if (value === "0" && lastDigit.group === group && lastDigit.value === "1" && now - lastDigit.at < 1000) {
      value = "10";
    }
    lastDigit = { group: group, value: value, at: now };
    var radio = group.querySelector("input[type=radio][value='" + value + "']");
    if (radio) {
      event.preventDefault();
      radio.checked = true;
      radio.focus();
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // After a failed submit, move focus to the error summary so keyboard and screen-reader users
  // land on it, then to the first invalid field when they press Tab.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("conflict") || document.getElementById("form-errors");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  });

  // A table wider than the screen scrolls inside its wrapper: the wrapper then takes the focus,
  // so a keyboard user can scroll it with the arrow keys too, and is named after its table's
  // caption. Checked again whenever the wrapper or its table changes size.
  function markScrollable(wrap) {
    var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.dataset.scrollFocus = "1";
      // Inside a section the heading already names the place; a second landmark of the
      // same name would only repeat it.
      var caption = wrap.querySelector("caption");
      if (caption) {
        caption.id = caption.id || "table-caption-" + Math.random().toString(36).slice(2, 10);
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-labelledby", caption.id);
      }
    } else if (!scrolls && wrap.dataset.scrollFocus) {
      ["tabindex", "role", "aria-labelledby", "data-scroll-focus"].forEach(function (name) {
        wrap.removeAttribute(name);
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var wraps = document.querySelectorAll(".table-responsive");
    wraps.forEach(markScrollable);
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          var wrap = entry.target.closest(".table-responsive");
          if (wrap) { markScrollable(wrap); }
        });
      });
      wraps.forEach(function (wrap) {
        observer.observe(wrap);
        if (wrap.firstElementChild) { observer.observe(wrap.firstElementChild); }
      });
    }
  });
})();
