/* Campaign Studio: small enhancements shared by every page. Everything works without this file;
   it only makes forms single-shot, favourites instant and the gallery keyboard-friendly. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var ICON_X =
    '<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.75" ' +
    'stroke-linecap="round" aria-hidden="true" focusable="false"><path d="M6.5 6.5l11 11M17.5 6.5l-11 11"/></svg>';

  function isTyping(event) {
    var el = event.target;
    if (!el || !el.closest) return false;
    return !!el.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Messages: a dismiss button on each. */
  function setUpMessages() {
    document.querySelectorAll("[data-message]").forEach(function (message) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "message-dismiss";
      button.setAttribute("aria-label", "Dismiss message");
      button.innerHTML = ICON_X; // fixed markup, no data
      button.addEventListener("click", function () {
        var list = message.parentElement;
        message.remove();
        if (list && !list.querySelector("[data-message]")) list.remove();
      });
      message.appendChild(button);
    });
  }

  /* Forms marked data-once submit once: the button is disabled until the page changes. */
  function setUpSingleSubmit() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-once]") || event.defaultPrevented) return;
      if (form.dataset.submitting === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "1";
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
        button.setAttribute("aria-busy", "true");
        if (button.dataset.submitLabel) {
          button.dataset.originalLabel = button.innerHTML;
          var label = button.querySelector("[data-label]") || button;
          if (label === button) {
            button.lastChild.textContent = button.dataset.submitLabel;
          } else {
            label.textContent = button.dataset.submitLabel;
          }
        }
        // Disabled after the submit event so the browser still sends the form.
        window.setTimeout(function () {
          button.disabled = true;
        }, 0);
      });
    });
    // Coming back with the Back button shows the page from the cache: make it usable again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      document.querySelectorAll("form[data-once]").forEach(function (form) {
        delete form.dataset.submitting;
        form.querySelectorAll("button[aria-busy]").forEach(function (button) {
          button.disabled = false;
          button.removeAttribute("aria-busy");
          if (button.dataset.originalLabel) button.innerHTML = button.dataset.originalLabel;
        });
      });
    });
  }

  /* Favourites: POST in the background and flip the star at once (reverted on failure). */
  function renderFavourite(form, on) {
    form.classList.toggle("is-on", on);
    var value = form.querySelector("[data-favourite-value]");
    if (value) value.value = on ? "0" : "1";
    var button = form.querySelector("button");
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
    var label = form.querySelector("[data-favourite-label]");
    if (label) label.textContent = on ? "Favourite" : "Add to favourites";
  }

  function toggleFavourite(form) {
    var value = form.querySelector("[data-favourite-value]");
    var on = value && value.value === "1";
    var body = new FormData(form);
    renderFavourite(form, on);
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        renderFavourite(form, !!data.favourite);
      })
      .catch(function () {
        renderFavourite(form, !on);
        window.alert("Couldn't update the favourite. Check your connection and try again.");
      });
  }

  function setUpFavourites() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-favourite-form]")) return;
      event.preventDefault();
      toggleFavourite(form);
    });
  }

  /* Gallery rows: give every tile its image's shape as --ratio (from the <img>'s width and
     height, or a placeholder's .tile-shape), for the justified rows in app.css; tiles added
     later (static/js/live.js) get theirs as they arrive. */
  function ratioOf(tile) {
    var width = 0;
    var height = 0;
    var img = tile.querySelector(".tile-link > img");
    var shape = tile.querySelector(".tile-shape");
    if (img) {
      width = parseFloat(img.getAttribute("width"));
      height = parseFloat(img.getAttribute("height"));
    } else if (shape && shape.viewBox && shape.viewBox.baseVal) {
      width = shape.viewBox.baseVal.width;
      height = shape.viewBox.baseVal.height;
    }
    return width > 0 && height > 0 ? width / height : 1;
  }

  function setUpRows() {
    document.querySelectorAll(".gallery").forEach(function (gallery) {
      function fit(node) {
        if (node.nodeType === 1 && node.classList.contains("tile")) {
          node.style.setProperty("--ratio", ratioOf(node).toFixed(4));
        }
      }
      Array.prototype.forEach.call(gallery.children, fit);
      new MutationObserver(function (changes) {
        changes.forEach(function (change) {
          Array.prototype.forEach.call(change.addedNodes, fit);
        });
      }).observe(gallery, { childList: true });
      gallery.classList.add("is-justified");
    });
  }

  /* Gallery: arrow keys move between tiles, Home/End jump, F toggles the favourite. */
  function tilesOf(gallery) {
    return Array.prototype.slice.call(gallery.querySelectorAll("[data-tile]"));
  }

  /* The tile in the next row up or down nearest the middle of `tile` (rows differ in length). */
  function tileAcross(tiles, tile, down) {
    var from = tile.getBoundingClientRect();
    var middle = from.left + from.width / 2;
    var best = null;
    var bestRow = null;
    var bestGap = Infinity;
    tiles.forEach(function (other) {
      var box = other.getBoundingClientRect();
      if (down ? box.top < from.bottom - 1 : box.bottom > from.top + 1) return;
      if (bestRow === null || (down ? box.top < bestRow - 1 : box.top > bestRow + 1)) {
        bestRow = box.top;
        best = null;
        bestGap = Infinity;
      } else if (Math.abs(box.top - bestRow) > 1) {
        return;
      }
      var gap = Math.abs(box.left + box.width / 2 - middle);
      if (gap < bestGap) {
        best = other;
        bestGap = gap;
      }
    });
    return best;
  }

  function setUpGalleryKeys() {
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var tile = event.target.closest && event.target.closest("[data-tile]");
      if (!tile) return;
      var gallery = tile.closest("[data-gallery]");
      if (!gallery) return;
      if (event.key === "f" || event.key === "F") {
        var form = tile.parentElement.querySelector("form[data-favourite-form]");
        if (form) {
          event.preventDefault();
          toggleFavourite(form);
        }
        return;
      }
      var tiles = tilesOf(gallery);
      var index = tiles.indexOf(tile);
      var next = null;
      switch (event.key) {
        case "ArrowRight": next = index + 1; break;
        case "ArrowLeft": next = index - 1; break;
        case "ArrowDown":
        case "ArrowUp":
          next = tiles.indexOf(tileAcross(tiles, tile, event.key === "ArrowDown"));
          if (next === -1) next = index;
          break;
        case "Home": next = 0; break;
        case "End": next = tiles.length - 1; break;
        default: return;
      }
      event.preventDefault();
      next = Math.max(0, Math.min(tiles.length - 1, next));
      tiles[next].focus();
      tiles[next].scrollIntoView({ block: "nearest" });
    });
  }

  /* Image page: ← newer, → older, F favourite. */
  function setUpImageKeys() {
    var page = document.querySelector("[data-image-page]");
    if (!page) return;
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || isTyping(event)) return;
      var target = null;
      if (event.key === "ArrowLeft") target = page.querySelector("[data-key-prev]");
      if (event.key === "ArrowRight") target = page.querySelector("[data-key-next]");
      if (target) {
        event.preventDefault();
        window.location.href = target.href;
      } else if (event.key === "f" || event.key === "F") {
        var form = page.querySelector("form[data-favourite-form]");
        if (form) {
          event.preventDefault();
          toggleFavourite(form);
        }
      }
    });
  }

  /* Filter bar: choosing a value applies it at once; typing a search shows "Apply". */
  function setUpFilters() {
    var form = document.querySelector("[data-filter-form]");
    if (!form) return;
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-autosubmit]")) {
        if (typeof form.requestSubmit === "function") form.requestSubmit();
        else form.submit();
      }
    });
    form.addEventListener("input", function (event) {
      if (event.target.name === "q") form.classList.add("is-dirty");
    });
    // On small screens the filters fold behind a "Filters" button.
    var toggle = form.querySelector("[data-filter-toggle]");
    var controls = document.getElementById(toggle ? toggle.getAttribute("aria-controls") : "");
    if (toggle && controls) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        controls.classList.toggle("is-open", open);
      });
    }
    // Empty fields are left out of the address, so links stay short and readable.
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (el) {
        if (!el.value || (el.type === "checkbox" && !el.checked)) el.disabled = true;
      });
      window.setTimeout(function () {
        form.querySelectorAll("input, select").forEach(function (el) {
          el.disabled = false;
        });
      }, 0);
    });
  }

  /* "Copy prompt" buttons (shown only when the clipboard is available). */
  function setUpCopy() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var row = button.closest("[data-copy-row]");
      if (row) row.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        var label = button.querySelector("[data-copy-label]") || button;
        navigator.clipboard.writeText(source ? source.textContent : "").then(function () {
          var before = label.textContent;
          label.textContent = "Copied";
          window.setTimeout(function () {
            label.textContent = before;
          }, 1600);
        });
      });
    });
  }

  /* A form that came back with errors: move focus to the summary. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  function start() {
    setUpRows();
    setUpMessages();
    setUpSingleSubmit();
    setUpFavourites();
    setUpGalleryKeys();
    setUpImageKeys();
    setUpFilters();
    setUpCopy();
    focusErrorSummary();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
