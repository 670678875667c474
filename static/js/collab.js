/* Review queue keys, confirmations, role selects, copy buttons and the progress of exports.
   Every page works without this file (forms post, an exports page has a Refresh link). */
import { copyText } from "./lib/clipboard.js";
import { submitForm } from "./lib/forms.js";
import { getJSON } from "./lib/http.js";
import { isTyping } from "./lib/typing.js";

/* Forms with data-confirm ask first. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

/* Asking for changes or rejecting needs a comment (the server says so too): say it at the
   comment box instead of posting. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  if (!form.matches || !form.matches("[data-decision-form]") || !button) return;
  var needs = button.dataset.needsComment;
  var comment = form.querySelector("[data-decision-comment]");
  var error = form.querySelector("[data-decision-error]");
  if (!needs || !comment || comment.value.trim()) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  error.lastElementChild.textContent = needs;
  error.hidden = false;
  comment.setAttribute("aria-invalid", "true");
  comment.focus();
}, true);
document.addEventListener("input", function (event) {
  var comment = event.target;
  if (!comment.matches || !comment.matches("[data-decision-comment]")) return;
  var error = comment.form.querySelector("[data-decision-error]");
  if (error) error.hidden = true;
  comment.removeAttribute("aria-invalid");
});

/* Role selects on the members page save on change. */
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("[data-role-autosubmit]")) {
    submitForm(event.target.form);
  }
});

/* Copy the new share link. */
document.querySelectorAll("[data-copy-input]").forEach(function (button) {
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.copyInput);
    if (!input) return;
    input.select();
    copyText(input.value, input).then(function () { button.lastChild.textContent = "Copied"; }, function () {});
  });
});

/* Review queue: a approve, c changes, r reject, j/n next, k previous, x select to compare. */
var queue = document.querySelector("[data-review-queue]");
if (queue) {
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (isTyping(event)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var key = event.key.toLowerCase();
    var target = null;
    if (key === "j" || key === "n") target = queue.querySelector("[data-queue-next]");
    else if (key === "k") target = queue.querySelector("[data-queue-prev]");
    if (target) {
      event.preventDefault();
      window.location.href = target.href;
      return;
    }
    if (key === "x") {
      var check = document.querySelector("[data-current-check]");
      if (check) {
        event.preventDefault();
        check.checked = !check.checked;
        check.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    var button = queue.querySelector("[data-decision-form] button[data-key='" + key + "']");
    if (button && !button.disabled) {
      event.preventDefault();
      submitForm(button.form, button);
    }
  });
}

/* Compare needs two or more. The picks are kept for the campaign in this tab
   (sessionStorage), so moving through the queue (j/k, the arrows, the strip, a decision)
   or coming back from the comparison keeps them. */
var compare = document.querySelector("[data-compare-form]");
if (compare) {
  var compareButton = compare.querySelector("[data-compare-button]");
  var clearButton = compare.querySelector("[data-compare-clear]");
  var storeKey = "studio.compare." + compare.dataset.compareKey;
  var boxes = function () { return [].slice.call(compare.querySelectorAll("input[name=ids]")); };
  var saved = function () {
    try { return JSON.parse(window.sessionStorage.getItem(storeKey) || "[]"); } catch (e) { return []; }
  };
  var remember = function (ids) {
    try { window.sessionStorage.setItem(storeKey, JSON.stringify(ids)); } catch (e) { /* private mode: marks last the page */ }
  };
  var update = function () {
    // Only images still waiting are kept: decided ones have left the strip.
    var picked = boxes().filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
    remember(picked);
    var n = picked.length;
    compareButton.disabled = n < 2;
    compareButton.lastChild.textContent = n >= 2 ? "Compare " + n + " selected" : "Select 2+ to compare";
    if (clearButton) clearButton.hidden = n === 0;
  };
  var restore = function () {
    var ids = saved();
    boxes().forEach(function (box) { box.checked = ids.indexOf(box.value) !== -1; });
    update();
  };
  compare.addEventListener("change", update);
  if (clearButton) {
    clearButton.addEventListener("click", function () {
      boxes().forEach(function (box) { box.checked = false; });
      update();
    });
  }
  // Back from another page can show this one from the cache, with older marks.
  window.addEventListener("pageshow", function (event) { if (event.persisted) restore(); });
  restore();
}

/* Export page: follow the build until the ZIP is ready. */
var exportCard = document.querySelector("[data-export]");
if (exportCard && exportCard.dataset.active === "1") {
  var url = exportCard.dataset.statusUrl;
  var progress = exportCard.querySelector("[data-export-progress]");
  var count = exportCard.querySelector("[data-export-count]");
  var status = exportCard.querySelector("[data-export-status]");
  var wrap = exportCard.querySelector("[data-export-progress-wrap]");
  var download = exportCard.querySelector("[data-export-download]");
  var error = exportCard.querySelector("[data-export-error]");
  var delay = 500;
  var poll = function () {
    getJSON(url)
      .then(function (data) {
        progress.value = data.progress;
        count.textContent = data.done + " of " + data.total;
        status.textContent = data.status_label;
        status.className = "pill pill-" + ({ ready: "succeeded", failed: "failed", expired: "cancelled" }[data.status] || "running");
        if (data.download_url) {
          download.href = data.download_url;
          download.hidden = false;
        }
        if (data.error) {
          error.lastElementChild.textContent = data.error;
          error.hidden = false;
        }
        if (data.is_active) {
          delay = Math.min(delay * 1.3, 3000);
          window.setTimeout(poll, delay);
        } else {
          wrap.hidden = true;
        }
      })
      .catch(function () { window.setTimeout(poll, 4000); });
  };
  window.setTimeout(poll, delay);
}
