/*
 * The rich-text editor's toolbar in the admin's language.
 *
 * django-prose-editor 0.28 gives its toolbar buttons fixed English titles and
 * aria-labels ("bold", "heading 2") that do not pass through gettext. The admin's
 * JavaScript catalog (kkk_portal/admin_i18n.py) holds German and English texts for
 * them under those titles; this script relabels every toolbar button, also the ones
 * the editor adds later. Without the catalog (no window.gettext) nothing changes.
 */
(function () {
  "use strict";
  if (typeof window.gettext !== "function") {
    return;
  }
  var HEADING = /^heading (\d)$/;

  function label(raw) {
    raw = raw.trim().toLowerCase();
    var match = HEADING.exec(raw);
    if (match) {
      var pattern = window.gettext("heading %s");
      return pattern === "heading %s" ? null : window.interpolate(pattern, [match[1]]);
    }
    var text = window.gettext(raw);
    return text === raw ? null : text;
  }

  function relabel(root) {
    root.querySelectorAll(".prose-menubar__button").forEach(function (button) {
      if (button.dataset.labelled) {
        return;
      }
      var raw = button.getAttribute("aria-label") || button.getAttribute("title") || "";
      var text = label(raw);
      button.dataset.labelled = "1";
      if (text) {
        button.setAttribute("title", text);
        button.setAttribute("aria-label", text);
      }
    });
    // The paragraph style picker: "Heading 2" … "Paragraph", shown in their own style.
    root.querySelectorAll(".prose-menubar__option > :first-child").forEach(function (item) {
      if (item.dataset.labelled) {
        return;
      }
      var text = label(item.textContent || "");
      item.dataset.labelled = "1";
      if (text) {
        item.textContent = text;
      }
    });
  }

  function start() {
    relabel(document);
    new MutationObserver(function () {
      relabel(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
