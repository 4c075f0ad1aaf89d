// Keyboard access to content that scrolls sideways (WCAG 2.1.1).
//
// Wide code blocks and tables in a post scroll horizontally inside the text
// column. A keyboard user can only scroll a box that can take focus, so every
// such box that actually overflows gets tabindex="0" (and a name, for
// screen readers); boxes that fit lose it again when the window grows. Markup
// that already carries a tabindex is left alone.
(function () {
  "use strict";

  var selector = ".prose pre, .prose table, .prose .table-wrap";

  function update() {
    var boxes = document.querySelectorAll(selector);
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.hasAttribute("tabindex") && !box.hasAttribute("data-scroll-focus")) {
        return; // the renderer made it focusable already
      }
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
        if (box.tagName === "PRE" && !box.hasAttribute("aria-label")) {
          box.setAttribute("aria-label", "Code (scrolls sideways)");
        }
      } else if (!overflows && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
        if (box.getAttribute("aria-label") === "Code (scrolls sideways)") {
          box.removeAttribute("aria-label");
        }
      }
    });
  }

  var pending = 0;
  function schedule() {
    window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(update);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.addEventListener("resize", schedule);
  window.addEventListener("load", update);
})();
