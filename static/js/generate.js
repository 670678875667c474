/* New generation form: follows the chosen model (sizes it supports, fields it refuses, how many
   variations it makes), counts prompt characters against Firefly's limit (holding the submit past
   it), shows the model's sample prompt and keeps a one-line summary next to the Generate button.
   The server validates all of it again. */
import { submitForm } from "./lib/forms.js";

function setUp(form) {
  var prompt = form.querySelector("textarea[name=prompt]");
  var hint = form.querySelector("[data-sample-hint]");
  var summary = form.querySelector("[data-summary]");
  var submit = form.querySelector(".submit-bar button[type=submit]");
  var limited = Array.prototype.map.call(form.querySelectorAll("textarea[data-max-chars]"), limitText);

  function checked(name) {
    return form.querySelector("input[name='" + name + "']:checked");
  }

  /* Firefly's length limit on a textarea, without `maxlength` (which silently drops what is typed
     or pasted past it): count characters as the server does (code points; a line break is one),
     and past the limit say so under the field, in the server's words, and hold the submit. */
  function limitText(textarea) {
    var max = parseInt(textarea.dataset.maxChars, 10);
    var counterEl = form.querySelector("[data-counter-for='" + textarea.id + "']");
    var serverError = document.getElementById(textarea.id + "_error");
    var live = document.createElement("div");
    live.setAttribute("aria-live", "polite");
    var message = document.createElement("p");
    message.className = "field-error";
    message.id = textarea.id + "_length";
    message.hidden = true;
    message.setAttribute("data-length-error", "");
    var icon = document.querySelector("template[data-alert-icon]");
    if (icon) message.appendChild(icon.content.cloneNode(true));
    var text = document.createElement("span");
    message.appendChild(text);
    live.appendChild(message);
    textarea.insertAdjacentElement("afterend", live);
    var describedBy = textarea.getAttribute("aria-describedby") || "";

    function count() {
      return Array.from(textarea.value).length;
    }
    function over() {
      return !textarea.disabled && count() > max;
    }
    function update() {
      var n = count();
      var tooLong = over();
      if (counterEl) {
        counterEl.textContent = n + " / " + max;
        counterEl.classList.toggle("is-near", n > max * 0.9 && !tooLong);
        counterEl.classList.toggle("is-over", tooLong);
      }
      // A refusal from the server already says it; once edited, this message takes over.
      var shown = tooLong && !(serverError && !serverError.hidden);
      message.hidden = !shown;
      text.textContent = shown ? textarea.dataset.tooLong.replace("{count}", n) : "";
      if (tooLong) {
        textarea.setAttribute("aria-invalid", "true");
        textarea.setAttribute("aria-describedby", (describedBy + " " + message.id).trim());
      } else if (!serverError || serverError.hidden) {
        textarea.removeAttribute("aria-invalid");
        if (describedBy) textarea.setAttribute("aria-describedby", describedBy);
        else textarea.removeAttribute("aria-describedby");
      }
    }
    textarea.addEventListener("input", function () {
      if (serverError) serverError.hidden = true;
      update();
    });
    update();
    return { textarea: textarea, over: over, update: update };
  }

  function updateCounter() {
    limited.forEach(function (field) {
      field.update();
    });
  }

  function followModel() {
    var model = checked("model");
    if (!model) return;
    var version = model.dataset.version;
    var unsupported = (model.dataset.unsupported || "").split(" ");

    // Sizes the model supports; keep the same aspect ratio when the pixels differ.
    var current = checked("size");
    var currentRatio = current ? current.closest("[data-size-option]").querySelector(".ratio-name").textContent : "";
    var firstVisible = null;
    var sameRatio = null;
    form.querySelectorAll("[data-size-option]").forEach(function (option) {
      var ok = (" " + option.dataset.versions + " ").indexOf(" " + version + " ") !== -1;
      option.hidden = !ok;
      var input = option.querySelector("input");
      input.disabled = !ok;
      if (ok && !firstVisible) firstVisible = input;
      if (ok && !sameRatio && option.querySelector(".ratio-name").textContent === currentRatio) sameRatio = input;
    });
    if (!current || current.disabled) {
      var pick = sameRatio || firstVisible;
      if (pick) pick.checked = true;
    }
    var sizeHelp = form.querySelector("[data-size-help]");
    if (sizeHelp) sizeHelp.textContent = "Sizes available for " + model.closest("label").querySelector(".model-card-name").textContent + ".";

    // Fields this model refuses are hidden and left out of the request.
    form.querySelectorAll("[data-needs]").forEach(function (block) {
      var refused = unsupported.indexOf(block.dataset.needs) !== -1;
      block.hidden = refused;
      block.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.disabled = refused;
      });
    });

    // Image 4 Ultra makes one image per request.
    var max = parseInt(model.dataset.maxVariations || "4", 10) || 4;
    form.querySelectorAll("[data-variations-option]").forEach(function (input) {
      input.disabled = parseInt(input.value, 10) > max;
    });
    var variations = checked("num_variations");
    if (!variations || variations.disabled) {
      var one = form.querySelector("[data-variations-option][value='1']");
      if (one) one.checked = true;
    }

    // The custom model's sample prompt, offered under the prompt box.
    if (hint) {
      var sample = model.dataset.samplePrompt || "";
      hint.hidden = !sample;
      hint.querySelector("[data-sample-text]").textContent = sample;
    }
  }

  function updateSummary() {
    var model = checked("model");
    var size = checked("size");
    var variations = checked("num_variations");
    var presets = form.querySelectorAll("input[name=style_presets]:checked").length;
    var n = variations ? parseInt(variations.value, 10) : 1;
    var parts = [];
    if (model) parts.push(model.closest("label").querySelector(".model-card-name").textContent);
    if (size) parts.push(size.closest("label").querySelector(".ratio-name").textContent);
    if (presets) parts.push(presets + (presets === 1 ? " style preset" : " style presets"));
    if (summary) summary.textContent = parts.join(" · ");
    if (submit && submit.getAttribute("aria-busy") !== "true") {
      submit.lastChild.textContent = "Generate " + n + (n === 1 ? " image" : " images");
    }
  }

  function updateRange(input) {
    var output = form.querySelector("output[for='" + input.id + "']");
    if (output) output.textContent = input.value;
  }

  if (prompt) {
    prompt.addEventListener("keydown", function (event) {
      // Cmd/Ctrl+Enter generates, as in most prompt boxes.
      if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
        event.preventDefault();
        submitForm(form);
      }
    });
  }
  var useSample = form.querySelector("[data-use-sample]");
  if (useSample) {
    useSample.addEventListener("click", function () {
      prompt.value = hint.querySelector("[data-sample-text]").textContent;
      updateCounter();
      prompt.focus();
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "model") {
      followModel();
      updateCounter(); // a field the model refuses is disabled and no longer sent
    }
    updateSummary();
  });
  // Registered on the form, so it runs before the document's submit-once handler (app.js),
  // which leaves a prevented submit alone.
  form.addEventListener("submit", function (event) {
    var tooLong = limited.filter(function (field) {
      return field.over();
    });
    if (!tooLong.length) return;
    event.preventDefault();
    tooLong.forEach(function (field) {
      field.update();
    });
    var first = tooLong[0].textarea;
    var details = first.closest("details");
    if (details) details.open = true;
    first.focus();
  });
  form.querySelectorAll("input[type=range]").forEach(function (input) {
    input.addEventListener("input", function () {
      updateRange(input);
    });
    updateRange(input);
  });

  updateCounter();
  followModel();
  updateSummary();
}

function start() {
  var form = document.querySelector("[data-generate-form]");
  if (form) setUp(form);
}

// Module scripts run once the document is parsed.
start();
