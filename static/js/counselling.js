// Request form: focus the error summary and count characters. Without this
// file the form still works: maxlength, help text and the server check stay.
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  function formatNumber(n) {
    var lang = document.documentElement.lang || "de";
    try {
      return n.toLocaleString(lang);
    } catch (e) {
      return String(n);
    }
  }

  // The sentences come translated from the page (data-text-left / data-text-over).
  function counterText(counter, remaining, max) {
    if (remaining >= 0) {
      return (counter.getAttribute("data-text-left") || "REMAINING / MAX")
        .replace("REMAINING", formatNumber(remaining))
        .replace("MAX", formatNumber(max));
    }
    return (counter.getAttribute("data-text-over") || "-OVER")
      .replace("OVER", formatNumber(-remaining));
  }

  function setUpCounter(counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) {
      return;
    }
    var max = parseInt(counter.getAttribute("data-max"), 10);
    // The live region (aria-live="polite") speaks only after a pause in typing,
    // so screen readers are not interrupted on every keystroke.
    var visible = document.createElement("span");
    visible.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    counter.appendChild(visible);
    counter.appendChild(spoken);
    var timer = null;

    function update(announce) {
      var remaining = max - field.value.length;
      var text = counterText(counter, remaining, max);
      visible.textContent = text;
      counter.classList.toggle("is-over", remaining < 0);
      window.clearTimeout(timer);
      if (announce) {
        timer = window.setTimeout(function () {
          spoken.textContent = text;
        }, 1500);
      }
    }

    field.addEventListener("input", function () {
      update(true);
    });
    update(false);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var counters = document.querySelectorAll("[data-counter-for]");
    for (var i = 0; i < counters.length; i++) {
      setUpCounter(counters[i]);
    }
    focusErrorSummary();
  });
})();
