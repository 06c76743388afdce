// Event registration form: move the focus to the error summary after a failed
// submission. Without this file the form works the same (the summary is at the top).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
