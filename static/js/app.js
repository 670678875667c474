/* Campaign Studio: small enhancements shared by every page. Everything works without this file;
   it only makes messages dismissable, forms single-shot, favourites instant and filters quick.
   The gallery's keys and rows are in gallery.js, the image page's keys in image.js. */
import { canCopy, copyText } from "./lib/clipboard.js";
import { toggleFavourite } from "./lib/favourites.js";
import { submitForm } from "./lib/forms.js";
import { closeIcon } from "./lib/icons.js";
import { removeMessage } from "./lib/messages.js";

document.documentElement.classList.add("js");

/* Messages: a dismiss button on each. */
function setUpMessages() {
  document.querySelectorAll("[data-message]").forEach(function (message) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "message-dismiss";
    button.setAttribute("aria-label", "Dismiss message");
    button.innerHTML = closeIcon(); // fixed markup, no data
    button.addEventListener("click", function () {
      removeMessage(message);
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

function setUpFavourites() {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-favourite-form]")) return;
    event.preventDefault();
    toggleFavourite(form);
  });
}

/* Filter bar: choosing a value applies it at once; typing a search shows "Apply". */
function setUpFilters() {
  var form = document.querySelector("[data-filter-form]");
  if (!form) return;
  form.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) {
      submitForm(form);
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
  if (!canCopy()) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var row = button.closest("[data-copy-row]");
    if (row) row.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      var label = button.querySelector("[data-copy-label]") || button;
      copyText(source ? source.textContent : "").then(function () {
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

// Module scripts run once the document is parsed.
setUpMessages();
setUpSingleSubmit();
setUpFavourites();
setUpFilters();
setUpCopy();
focusErrorSummary();
