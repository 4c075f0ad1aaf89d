// Copy buttons for the employee share texts on post pages.
//
// Each <button data-copy="ID"> copies the text of the read-only <textarea
// id="ID"> with the Clipboard API, falling back to select() and
// document.execCommand("copy") where that API is missing or refused (plain
// http, older browsers). The result is announced in the panel's live region.
// The buttons ship hidden and are shown here, so a page without JavaScript
// offers no button that does nothing; the textareas and links work anyway.
// Each "Open PLATFORM" link copies its text too (see initOpenLinks).
(function () {
  "use strict";

  function legacyCopy(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  function copy(field) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(field.value).then(
        function () { return true; },
        function () { return legacyCopy(field); }
      );
    }
    return Promise.resolve(legacyCopy(field));
  }

  function statusOf(button) {
    var panel = button.closest(".share") || document;
    return panel.querySelector(".share-status");
  }

  function announce(button, message) {
    var status = statusOf(button);
    if (status) {
      status.textContent = message;
    }
  }

  function init() {
    initOpenLinks();
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) {
        return;
      }
      button.hidden = false;
      var label = button.textContent;
      var timer = 0;
      button.addEventListener("click", function () {
        copy(field).then(function (ok) {
          if (ok) {
            button.textContent = "Copied";
            button.classList.add("copied");
            announce(button, "Copied");
          } else {
            field.focus();
            field.select();
            announce(button, "Press Ctrl+C (or ⌘C) to copy the selected text");
          }
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            button.textContent = label;
            button.classList.remove("copied");
            // Cleared, so that the next copy is announced again.
            announce(button, "");
          }, 2000);
        });
      });
    });
  }

  // An "Open PLATFORM" link copies its text as it opens the platform: not
  // every platform's share link can carry the text (LinkedIn takes only the
  // URL), and the disclosure must not be left behind.
  function initOpenLinks() {
    var links = document.querySelectorAll(".snippet a.snippet-open");
    Array.prototype.forEach.call(links, function (link) {
      var snippet = link.closest(".snippet");
      var field = snippet && snippet.querySelector("textarea");
      if (!field) {
        return;
      }
      link.addEventListener("click", function () {
        copy(field).then(function (ok) {
          announce(link, ok ? "Copied the text: paste it if the post box is empty" : "");
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
