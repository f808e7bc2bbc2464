// Needle timer (templates/sessions/_needle_timer.html): counts down to the planned retention
// on the session form, the note and the dashboard. At the end: a visual cue, a polite
// announcement, and a gentle chime (Web Audio, made here: no sound file; browsers allow it
// only after the user has touched the page or pressed a key), then "N minutes over". It
// never takes a step itself.
// On the session form "Needles in" / "Needles out" post with fetch, so nothing typed on the
// form is lost, and the form's times, counts and version follow the server's answer.
// Without JavaScript the server's text shows the times and the buttons post the form.
(function () {
  "use strict";
  var SOUND_KEY = "needle-timer-sound";
  var audio = null;
  var timers = [];
  var pill = null; // the timer's countdown, kept in sight while the timer is scrolled away
  var pillTimer = null;
  var timerInView = true;
  var plural = window.Intl && Intl.PluralRules
    ? new Intl.PluralRules(document.documentElement.lang || "en") : null;

  function texts(element) {
    var host = element.closest("[data-timer-texts]");
    return host ? host.dataset : {};
  }

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function pad(number) {
    return number < 10 ? "0" + number : String(number);
  }

  function announce(element, text) {
    var host = element.closest("[data-timer-texts]");
    var region = host && host.querySelector("[data-timer-message]");
    if (region) {
      region.textContent = text || "";
    }
  }

  // --- Sound: on unless switched off on this device; made audible by a user gesture. -------
  function soundOn() {
    try {
      return window.localStorage.getItem(SOUND_KEY) !== "off";
    } catch (error) {
      return true;
    }
  }

  function unlock() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || !soundOn()) {
      return;
    }
    if (!audio) {
      try {
        audio = new Context();
      } catch (error) {
        return;
      }
    }
    if (audio.state === "suspended") {
      audio.resume();
    }
  }

  function chime() {
    if (!audio || !soundOn() || audio.state !== "running") {
      return; // the visual cue and the announcement still come
    }
    var start = audio.currentTime + 0.05;
    // Two soft sine notes, falling (E5, C5), each fading out over a second and a half.
    [659.25, 523.25].forEach(function (frequency, index) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      var at = start + index * 0.5;
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.12, at + 0.04);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.5);
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + 1.6);
    });
  }

  function showSoundSwitches() {
    var on = soundOn();
    Array.prototype.forEach.call(document.querySelectorAll("[data-timer-sound]"), function (button) {
      var words = texts(button);
      button.hidden = false;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? words.textSoundOn : words.textSoundOff;
    });
  }

  function switchSound() {
    try {
      window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
    } catch (error) { /* private mode: the switch lasts for this page only */ }
    showSoundSwitches();
    unlock();
  }

  // --- Counting ---------------------------------------------------------------------------
  function Timer(element) {
    this.element = element;
    this.end = Date.parse(element.getAttribute("data-planned-end"));
    // The server's clock is the truth: a tablet's own clock may be minutes off.
    this.skew = Date.parse(element.getAttribute("data-server-now")) - Date.now();
    this.clock = element.querySelector("[data-timer-clock]");
    this.status = element.querySelector("[data-timer-status]");
    this.due = element.getAttribute("data-state") === "due";
  }

  Timer.prototype.tick = function () {
    var left = Math.ceil((this.end - (Date.now() + this.skew)) / 1000);
    var words = texts(this.element);
    var status;
    var shown = Math.abs(left);
    if (left > 0) {
      status = fill(words.textLeft, { n: Math.ceil(left / 60) });
    } else {
      var over = Math.floor(-left / 60);
      var one = plural ? plural.select(over) === "one" : over === 1;
      status = over === 0 ? words.textUp
        : fill(one ? words.textOverOne : words.textOverOther, { n: over });
      if (!this.due) {
        this.due = true;
        this.arrive();
      }
    }
    this.clockText = (left > 0 ? "" : "+") + pad(Math.floor(shown / 60)) + ":" + pad(shown % 60);
    this.statusText = status;
    if (this.clock) {
      this.clock.textContent = this.clockText;
    }
    if (this.status && this.status.textContent !== status) {
      this.status.textContent = status;
    }
  };

  // The planned time has come while the page is open: show it, say it, chime once.
  Timer.prototype.arrive = function () {
    var box = this.element.closest(".needle-timer") || this.element;
    var words = texts(this.element);
    var name = this.element.getAttribute("data-timer-name");
    this.element.setAttribute("data-state", "due");
    box.classList.remove("needle-timer--running");
    box.classList.add("needle-timer--due", "needle-timer--arrived");
    announce(this.element, name ? fill(words.textDueNamed, { name: name }) : words.textDue);
    chime();
  };

  function start() {
    timers = Array.prototype.map.call(
      document.querySelectorAll("[data-needle-timer][data-planned-end]"),
      function (element) { return new Timer(element); });
    setUpPill();
    tickAll();
    showSoundSwitches();
  }

  function tickAll() {
    timers.forEach(function (timer) { timer.tick(); });
    showPill();
  }

  // --- The pill: on a long form the timer scrolls out of sight; its countdown stays, as a
  // link back to it. -----------------------------------------------------------------------
  function setUpPill() {
    var box = document.getElementById("needle-timer");
    var body = box && box.querySelector("[data-needle-timer][data-planned-end]");
    pillTimer = null;
    timers.forEach(function (timer) {
      if (timer.element === body) {
        pillTimer = timer;
      }
    });
    if (!pillTimer || pill || !window.IntersectionObserver) {
      return;
    }
    pill = document.createElement("a");
    pill.href = "#needle-timer";
    pill.className = "needle-timer-pill";
    pill.hidden = true;
    pill.setAttribute("title", texts(box).textJump);
    document.body.appendChild(pill);
    new IntersectionObserver(function (entries) {
      timerInView = entries[entries.length - 1].isIntersecting;
      showPill();
    }).observe(box);
  }

  function showPill() {
    if (!pill) {
      return;
    }
    pill.hidden = timerInView || !pillTimer;
    if (pillTimer && pillTimer.clockText) {
      pill.textContent = pillTimer.clockText + " · " + pillTimer.statusText;
      pill.classList.toggle("needle-timer-pill--due", pillTimer.due);
    }
  }

  // --- The session form's buttons ---------------------------------------------------------
  function post(button) {
    var form = button.form;
    var words = texts(button);
    var body = new FormData();
    ["csrf_token", "version", "retention_minutes"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field) {
        body.append(name, field.value);
      }
    });
    button.disabled = true;
    announce(button, words.textBusy);
    fetch(button.getAttribute("data-timer-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      // A login that expired answers with the login page: not JSON.
      if ((response.headers.get("Content-Type") || "").indexOf("application/json") === -1) {
        throw new Error("not recorded");
      }
      return response.json();
    }).then(function (answer) {
      show(form, answer);
    }).catch(function () {
      button.disabled = false;
      announce(button, words.textFailed);
    });
  }

  // The server's answer: its timer, the fields it filled, the version to save against.
  function show(form, answer) {
    var box = form.querySelector("#needle-timer");
    var holder = document.createElement("div");
    holder.innerHTML = answer.html; // rendered and escaped by the server's own template
    var fresh = holder.querySelector(".needle-timer");
    box.replaceChild(fresh.querySelector(".needle-timer__body"),
                     box.querySelector(".needle-timer__body"));
    box.className = fresh.className;
    var version = form.elements.namedItem("version");
    if (version && answer.version) {
      version.value = answer.version;
    }
    Object.keys(answer.fields || {}).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && answer.fields[name] !== "") {
        field.value = answer.fields[name];
      }
    });
    start();
    var next = box.querySelector(".needle-timer__button");
    if (!next) {
      box.setAttribute("tabindex", "-1");
      next = box;
    }
    next.focus();
    announce(box, answer.message);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    if (target.closest("[data-timer-sound]")) {
      switchSound();
      return;
    }
    var button = target.closest("button[data-timer-url]");
    if (button && button.form && window.fetch && window.FormData) {
      event.preventDefault();
      post(button);
    }
  });
  // Any touch or key press lets the chime be heard later (browsers' autoplay rule).
  document.addEventListener("pointerdown", unlock, true);
  document.addEventListener("keydown", unlock, true);
  document.addEventListener("visibilitychange", tickAll);

  start();
  window.setInterval(tickAll, 1000);
})();
