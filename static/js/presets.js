/* Style preset picker: adds a filter box and a summary of chosen presets (as removable chips)
   on top of the grouped checkboxes, which keep working on their own without JavaScript. */
import { closeIcon } from "./lib/icons.js";

function setUp(picker) {
  var filter = picker.querySelector("[data-preset-filter]");
  var search = picker.querySelector("[data-preset-search]");
  var chips = picker.querySelector("[data-preset-chips]");
  var none = picker.querySelector("[data-preset-none]");
  var options = Array.prototype.slice.call(picker.querySelectorAll("[data-preset-option]"));
  var groups = Array.prototype.slice.call(picker.querySelectorAll("[data-preset-group]"));
  search.hidden = false;
  chips.hidden = false;

  function labelOf(option) {
    return option.querySelector("span").textContent;
  }

  function renderChips() {
    chips.textContent = "";
    var chosen = options.filter(function (option) {
      return option.querySelector("input").checked;
    });
    if (!chosen.length) {
      var empty = document.createElement("span");
      empty.className = "chips-empty";
      empty.textContent = "No presets chosen: Firefly picks a look from the prompt.";
      chips.appendChild(empty);
      return;
    }
    chosen.forEach(function (option) {
      var chip = document.createElement("span");
      chip.className = "chip";
      chip.appendChild(document.createTextNode(labelOf(option)));
      var remove = document.createElement("button");
      remove.type = "button";
      remove.setAttribute("aria-label", "Remove " + labelOf(option));
      remove.innerHTML = closeIcon("2"); // fixed markup, no data
      remove.addEventListener("click", function () {
        var input = option.querySelector("input");
        input.checked = false;
        input.dispatchEvent(new Event("change", { bubbles: true }));
        filter.focus();
      });
      chip.appendChild(remove);
      chips.appendChild(chip);
    });
    if (chosen.length > 1) {
      var clear = document.createElement("button");
      clear.type = "button";
      clear.className = "link-button chips-clear";
      clear.textContent = "Clear all";
      clear.addEventListener("click", function () {
        chosen.forEach(function (option) {
          option.querySelector("input").checked = false;
        });
        picker.dispatchEvent(new Event("change", { bubbles: true }));
        filter.focus();
      });
      chips.appendChild(clear);
    }
  }

  function applyFilter() {
    var words = filter.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
    var shown = 0;
    options.forEach(function (option) {
      var haystack = option.dataset.name || "";
      var match = words.every(function (word) {
        return haystack.indexOf(word) !== -1;
      });
      option.hidden = !match;
      if (match) shown++;
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-preset-option]:not([hidden])");
    });
    none.hidden = shown !== 0;
  }

  filter.addEventListener("input", applyFilter);
  filter.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault(); // never submit the whole form from the filter box
    var first = options.find(function (option) {
      return !option.hidden;
    });
    if (first) {
      var input = first.querySelector("input");
      input.checked = !input.checked;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      filter.select();
    }
  });
  picker.addEventListener("change", renderChips);
  renderChips();
}

function start() {
  document.querySelectorAll("[data-preset-picker]").forEach(setUp);
}

// Module scripts run once the document is parsed.
start();
