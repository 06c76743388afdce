/*
 * Staff session in the admin (no inline script; loaded by templates/admin/base_site.html).
 *
 * The server ends a staff session after STAFF_SESSION_IDLE_MINUTES without a request
 * and after STAFF_SESSION_MAX_HOURS in any case. So that typed text is never lost:
 * - while a form on the page holds unsaved input, the script pings the keep-alive
 *   endpoint (a POST counts as activity) every third of the idle period;
 * - without unsaved input it warns two minutes before the idle limit, with a button
 *   that keeps the session;
 * - ten minutes before the hard limit it asks to save now.
 * The messages come translated from data attributes of #staff-session.
 */
(function () {
  "use strict";

  var box = document.getElementById("staff-session");
  if (!box || !window.fetch) {
    return;
  }
  var text = box.querySelector(".staff-session-text");
  var url = box.dataset.keepAliveUrl;
  var loaded = Date.now();
  var idlePeriod = (parseInt(box.dataset.idleSeconds, 10) || 0) * 1000;
  var idleDeadline = loaded + idlePeriod;
  var hardDeadline = loaded + (parseInt(box.dataset.endsIn, 10) || 0) * 1000;
  var pingEvery = Math.max(30000, Math.min(300000, Math.floor(idlePeriod / 3)));
  var lastPing = loaded;
  var dirty = false;
  var expired = false;
  var button = null;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) {
      return input.value;
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show(message, withButton) {
    text.textContent = message;
    if (withButton && !button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "button staff-session-button";
      button.textContent = box.dataset.button;
      button.addEventListener("click", ping);
      box.appendChild(button);
    }
    if (button) {
      button.hidden = !withButton;
    }
    box.hidden = false;
  }

  function hide() {
    box.hidden = true;
  }

  function ping() {
    lastPing = Date.now();
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        if (response.status === 401) {
          expired = true;
          show(box.dataset.msgExpired, false);
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        var now = Date.now();
        idleDeadline = now + data.idle_seconds * 1000;
        hardDeadline = now + data.ends_in * 1000;
        hide();
      })
      .catch(function () {
        /* Offline for a moment: the next tick tries again. */
      });
  }

  function markDirty(event) {
    if (event.target && event.target.form) {
      dirty = true;
    }
  }

  document.addEventListener("input", markDirty, true);
  document.addEventListener("change", markDirty, true);
  document.addEventListener(
    "submit",
    function () {
      dirty = false;
    },
    true
  );

  function tick() {
    if (expired) {
      return;
    }
    var now = Date.now();
    if (now >= idleDeadline || now >= hardDeadline) {
      expired = true;
      show(box.dataset.msgExpired, false);
      return;
    }
    if (dirty && now - lastPing >= pingEvery) {
      ping();
      return;
    }
    if (hardDeadline - now <= 600000) {
      show(box.dataset.msgEnd, false);
    } else if (!dirty && idleDeadline - now <= 120000) {
      show(box.dataset.msgIdle, true);
    }
  }

  window.setInterval(tick, 15000);
  // Lets a browser test run one check without waiting for the timer.
  box.addEventListener("staff-session:tick", tick);
})();
