/* Focal point of an image in the admin (kkk_portal/image_admin.py).
 *
 * A click on the preview writes the point into the two number inputs
 * (<field>_focus_x / _focus_y, percent from the left and from the top); the
 * arrow keys move it while the preview has focus (Shift: 1 %, else 5 %); typing
 * into the inputs moves the marker. A newly chosen file is shown at once (read
 * as a data: URL, which the admin's CSP allows for images). The marker is placed
 * through the CSSOM (element.style), which the strict CSP permits; the page has
 * no inline script or style. Without JavaScript the number inputs still work.
 */
(function () {
  "use strict";

  function clamp(value) {
    return Math.min(100, Math.max(0, Math.round(value)));
  }

  function setUp(box) {
    var frame = box.querySelector(".focal-point-frame");
    var image = box.querySelector(".focal-point-image");
    var marker = box.querySelector(".focal-point-marker");
    var status = box.querySelector(".focal-point-status");
    var inputX = document.getElementById(box.dataset.focalX);
    var inputY = document.getElementById(box.dataset.focalY);
    var file = document.getElementById(box.dataset.focalFile);
    if (!frame || !image || !marker || !inputX || !inputY) {
      return;
    }
    box.classList.add("focal-point-ready");

    function read(input) {
      if (input.value.trim() === "") {
        return null;
      }
      var number = Number(input.value);
      return Number.isFinite(number) ? clamp(number) : null;
    }

    function show() {
      var x = read(inputX);
      var y = read(inputY);
      if (x === null || y === null) {
        marker.classList.remove("is-set");
        return;
      }
      // In pixels from the image's own box, whatever the frame's size.
      marker.style.left = image.offsetLeft + (image.offsetWidth * x) / 100 + "px";
      marker.style.top = image.offsetTop + (image.offsetHeight * y) / 100 + "px";
      marker.classList.add("is-set");
    }

    function set(x, y) {
      inputX.value = clamp(x);
      inputY.value = clamp(y);
      [inputX, inputY].forEach(function (input) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      show();
      if (status && box.dataset.focalStatus) {
        status.textContent = box.dataset.focalStatus
          .replace("{x}", inputX.value)
          .replace("{y}", inputY.value);
      }
    }

    image.addEventListener("click", function (event) {
      var rect = image.getBoundingClientRect();
      if (!rect.width || !rect.height) {
        return;
      }
      set(
        ((event.clientX - rect.left) / rect.width) * 100,
        ((event.clientY - rect.top) / rect.height) * 100
      );
    });

    frame.addEventListener("keydown", function (event) {
      var steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      var step = steps[event.key];
      if (!step) {
        return;
      }
      event.preventDefault();
      var size = event.shiftKey ? 1 : 5;
      var x = read(inputX);
      var y = read(inputY);
      set((x === null ? 50 : x) + step[0] * size, (y === null ? 50 : y) + step[1] * size);
    });

    [inputX, inputY].forEach(function (input) {
      input.addEventListener("input", show);
    });
    image.addEventListener("load", show);
    window.addEventListener("resize", show);

    if (file) {
      file.addEventListener("change", function () {
        var chosen = file.files && file.files[0];
        if (!chosen || !/^image\//.test(chosen.type)) {
          return;
        }
        var reader = new FileReader();
        reader.addEventListener("load", function () {
          image.src = reader.result;
          frame.hidden = false;
        });
        reader.readAsDataURL(chosen);
      });
    }
    show();
  }

  function start() {
    document.querySelectorAll(".focal-point").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
