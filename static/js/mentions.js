/* @mention autocomplete for comment boxes. A textarea with data-mentions="<id>" reads the
   campaign's members from the JSON script with that id; typing "@" lists them, narrowing as
   you type (by username or name). Up/Down or the mouse pick one, Enter or Tab puts
   "@username " in, Escape closes the list. When nobody matches, the list says so.
   Without JavaScript the form lists the members under the box, and the server names any
   @name that isn't a member before anything is saved. */
var MAX_SHOWN = 8;
// The @name being typed, just before the caret: "@" not preceded by a letter, digit, "_" or
// "@" (as generation.collab.comments.MENTION, so e-mail addresses don't open the list).
var TYPING = /(?:^|[^\p{L}\p{N}_@])@([\p{L}\p{N}_.+-]{0,150})$/u;
var counter = 0;

function load(id) {
  var script = document.getElementById(id);
  if (!script) return [];
  try {
    return JSON.parse(script.textContent) || [];
  } catch (error) {
    return [];
  }
}

function matches(people, query) {
  var q = query.toLowerCase();
  var first = [];
  var then = [];
  people.forEach(function (person) {
    var username = person.username.toLowerCase();
    if (username.indexOf(q) === 0) first.push(person);
    else if (person.name.toLowerCase().split(/\s+/).some(function (w) { return w.indexOf(q) === 0; })) then.push(person);
  });
  return first.concat(then).slice(0, MAX_SHOWN);
}

function setUp(textarea) {
  var people = load(textarea.dataset.mentions);
  if (!people.length) return;
  var id = "mention-list-" + ++counter;
  var host = textarea.parentElement;
  host.classList.add("has-mentions");
  var list = document.createElement("ul");
  list.id = id;
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Campaign members");
  list.hidden = true;
  textarea.insertAdjacentElement("afterend", list);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", id);
  // No aria-expanded: a textarea is a textbox, where ARIA does not allow it (the list's own
  // visibility and aria-activedescendant tell assistive technology what is offered).

  var shown = [];
  var active = -1;
  var start = -1; // where the "@" being completed is

  function close() {
    list.hidden = true;
    list.textContent = "";
    shown = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
      if (i === index) {
        textarea.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function choose(person) {
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(caret).replace(/^[\p{L}\p{N}_.+-]*/u, "");
    var inserted = "@" + person.username + (/^\s/.test(after) ? "" : " ");
    textarea.value = before + inserted + after;
    var at = before.length + inserted.length;
    textarea.setSelectionRange(at, at);
    close();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  function option(person, index) {
    var item = document.createElement("li");
    item.id = id + "-" + index;
    item.className = "mention-option";
    item.setAttribute("role", "option");
    item.dataset.username = person.username;
    var avatar = document.createElement("span");
    avatar.className = "avatar";
    avatar.setAttribute("aria-hidden", "true");
    avatar.textContent = person.initials;
    var name = document.createElement("span");
    name.className = "mention-name";
    name.textContent = person.name;
    var handle = document.createElement("span");
    handle.className = "mention-handle";
    handle.textContent = "@" + person.username;
    item.append(avatar, name, handle);
    // mousedown, not click: the textarea keeps its focus and caret.
    item.addEventListener("mousedown", function (event) {
      event.preventDefault();
      choose(person);
    });
    return item;
  }

  function update() {
    var caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) return close();
    var typed = TYPING.exec(textarea.value.slice(0, caret));
    if (!typed) return close();
    start = caret - typed[1].length - 1;
    shown = matches(people, typed[1]);
    list.textContent = "";
    if (!shown.length) {
      var empty = document.createElement("li");
      empty.className = "mention-empty";
      empty.setAttribute("role", "option");
      empty.setAttribute("aria-disabled", "true");
      empty.textContent = "No member of this campaign is called @" + typed[1];
      list.append(empty);
    } else {
      shown.forEach(function (person, index) {
        list.append(option(person, index));
      });
    }
    list.style.top = textarea.offsetTop + textarea.offsetHeight + 4 + "px";
    list.hidden = false;
    highlight(shown.length ? 0 : -1);
  }

  textarea.addEventListener("input", update);
  textarea.addEventListener("click", update);
  textarea.addEventListener("blur", close);
  textarea.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // keep the box focused (the review queue blurs on Escape)
      close();
    } else if (!shown.length) {
      return;
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + shown.length) % shown.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && active >= 0) {
      event.preventDefault();
      choose(shown[active]);
    }
  });
}

function start() {
  document.querySelectorAll("textarea[data-mentions]").forEach(setUp);
}

// Module scripts run once the document is parsed.
start();
