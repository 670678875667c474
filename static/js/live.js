/* Live updates without reloading: the campaign gallery polls /campaigns/<slug>/live and a
   generation page polls /generations/<pk>/status.json about every 1.5 s while work is running.
   Everything from the server is set with textContent or attributes, never parsed as HTML. */
import { getJSON } from "./lib/http.js";
import { removeMessage } from "./lib/messages.js";

var FAST = 1500;
var SLOW = 12000;
var MAX_BACKOFF = 30000;

function cloneTemplate(id) {
  var template = document.getElementById(id);
  return template ? template.content.firstElementChild.cloneNode(true) : null;
}

function announce(text) {
  var region = document.querySelector("[data-live-announcer]");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(function () {
    region.textContent = text;
  }, 50);
}

function buildTile(data) {
  var tile = cloneTemplate("tile-template");
  if (!tile) return null;
  tile.dataset.imageId = String(data.id);
  tile.dataset.generation = String(data.generation_id);
  var link = tile.querySelector("[data-tile]");
  link.href = data.url;
  var img = tile.querySelector("img");
  if (data.thumb) {
    if (data.srcset) img.srcset = data.srcset;
    img.src = data.thumb;
    img.width = data.width;
    img.height = data.height;
    img.alt = data.alt;
  } else {
    img.remove();
    var text = document.createElement("span");
    text.className = "tile-processing";
    text.textContent = "Preparing thumbnail…";
    link.insertBefore(text, link.firstChild);
  }
  tile.querySelector("[data-tile-prompt]").textContent = data.prompt;
  tile.querySelector("[data-tile-model]").textContent = data.caption;
  var form = tile.querySelector("form");
  if (form) {
    form.action = "/images/" + encodeURIComponent(data.id) + "/favourite/";
    if (data.favourite) {
      form.classList.add("is-on");
      form.querySelector("[data-favourite-value]").value = "0";
      form.querySelector("button").setAttribute("aria-pressed", "true");
    }
  }
  return tile;
}

function buildPlaceholder(generation) {
  var tile = cloneTemplate("placeholder-template");
  if (!tile) return null;
  tile.dataset.generation = String(generation.id);
  tile.querySelector("[data-tile]").href = generation.url;
  tile.querySelector("[data-placeholder-prompt]").textContent = generation.prompt;
  var shape = tile.querySelector(".tile-shape");
  if (shape) shape.setAttribute("viewBox", "0 0 " + generation.width + " " + generation.height);
  updatePlaceholder(tile, generation);
  return tile;
}

function updatePlaceholder(tile, generation) {
  var status = tile.querySelector("[data-placeholder-status]");
  var label = generation.status_label;
  if (generation.status === "running" && generation.progress) label += " · " + generation.progress + "%";
  else label += "…";
  if (status && status.textContent !== label) status.textContent = label;
  var progress = tile.querySelector("[data-placeholder-progress]");
  if (progress) progress.value = generation.progress || 0;
}

function buildFailed(generation) {
  var tile = cloneTemplate("failed-template");
  if (!tile) return null;
  tile.dataset.generation = String(generation.id);
  tile.querySelector("[data-tile]").href = generation.url;
  tile.querySelector("[data-failed-status]").textContent = generation.status_label;
  var error = tile.querySelector("[data-failed-error]");
  error.textContent = generation.error || error.dataset.fallback;
  tile.querySelector("[data-failed-prompt]").textContent = generation.prompt;
  var retry = tile.querySelector("[data-retry-form]");
  if (retry && generation.retry_can_help) {
    retry.action = generation.retry_url;
    retry.querySelector("[data-retry-label]").textContent = " generation " + generation.id;
    retry.hidden = false;
  }
  return tile;
}

/* The "Generating N images" message of a generation that has ended is no longer true. */
function removeMessagesAbout(id) {
  document.querySelectorAll("[data-message-tags~='generation-" + id + "']").forEach(removeMessage);
}

function showCounts(data) {
  if (typeof data.image_count === "number") {
    var count = document.querySelector("[data-image-count]");
    if (count && count.dataset.count !== String(data.image_count)) {
      count.dataset.count = String(data.image_count);
      count.textContent = data.image_count + (data.image_count === 1 ? " image" : " images");
    }
  }
  var counts = data.review_counts || {};
  var total = 0;
  Object.keys(counts).forEach(function (state) {
    total += counts[state];
    var tab = document.querySelector("[data-review-tab='" + state + "'] .review-count");
    if (tab) tab.textContent = String(counts[state]);
  });
  var all = document.querySelector("[data-review-tab='all'] .review-count");
  if (all && data.review_counts) all.textContent = String(total);
}

/* A poller that slows down when idle, backs off on errors and pauses in background tabs. */
function poller(tick) {
  var timer = null;
  var delay = FAST;
  var failures = 0;
  var stopped = false;

  function schedule(ms) {
    window.clearTimeout(timer);
    if (!stopped) timer = window.setTimeout(run, ms);
  }

  function run() {
    if (document.hidden) return; // resumed by visibilitychange
    tick()
      .then(function (next) {
        failures = 0;
        if (next === null) {
          stopped = true;
          return;
        }
        delay = next;
        schedule(delay);
      })
      .catch(function () {
        failures++;
        schedule(Math.min(MAX_BACKOFF, FAST * Math.pow(2, failures)));
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !stopped) schedule(0);
  });
  return { start: function () { schedule(delay); } };
}

/* ------------------------------------------------------------ campaign gallery */
function setUpGallery(gallery) {
  var since = parseInt(gallery.dataset.since || "0", 10) || 0;
  var liveUrl = gallery.dataset.liveUrl;
  var failedShown = {};

  /* Tiles of finished work (images, and generations that ended without images) come after
     the placeholders, newest first. */
  function firstImageTile() {
    return gallery.querySelector(".tile[data-image-id], .tile[data-failed]");
  }

  function placeholdersOf(id) {
    return gallery.querySelectorAll("[data-placeholder][data-generation='" + id + "']");
  }

  function watched() {
    var ids = {};
    gallery.querySelectorAll("[data-placeholder]").forEach(function (tile) {
      ids[tile.dataset.generation] = true;
    });
    // A generation announced by a message is watched until it ends, placeholders or not.
    document.querySelectorAll("[data-message-tags]").forEach(function (message) {
      var match = /(?:^|\s)generation-(\d+)(?:\s|$)/.exec(message.dataset.messageTags);
      if (match) ids[match[1]] = true;
    });
    return Object.keys(ids);
  }

  function insertBeforeImages(node) {
    var first = firstImageTile();
    if (first) gallery.insertBefore(node, first);
    else gallery.appendChild(node);
  }

  function applyGeneration(generation) {
    var existing = placeholdersOf(generation.id);
    if (generation.is_active) {
      var wanted = Math.max(0, generation.num_variations - (generation.image_count || 0));
      for (var i = existing.length; i < wanted; i++) {
        var placeholder = buildPlaceholder(generation);
        if (!placeholder) break;
        var firstPlaceholder = gallery.querySelector("[data-placeholder], [data-failed]");
        gallery.insertBefore(placeholder, firstPlaceholder || firstImageTile());
      }
      placeholdersOf(generation.id).forEach(function (tile, index) {
        if (index >= wanted) tile.remove();
        else updatePlaceholder(tile, generation);
      });
      return true;
    }
    existing.forEach(function (tile) {
      tile.remove();
    });
    removeMessagesAbout(generation.id);
    if (generation.status === "failed" || generation.status === "cancelled") {
      if (!failedShown[generation.id] && existing.length) {
        failedShown[generation.id] = true;
        var failed = buildFailed(generation);
        if (failed) insertBeforeImages(failed);
        var emptyState = document.querySelector("[data-empty-state]");
        if (emptyState) emptyState.remove();
        announce("Generation " + generation.id + " " + generation.status_label.toLowerCase() + ".");
      }
    }
    return false;
  }

  function tick() {
    var url = liveUrl + (liveUrl.indexOf("?") === -1 ? "?" : "&") + "since=" + since;
    var watching = watched();
    if (watching.length) url += "&watch=" + watching.join(",");
    return getJSON(url).then(function (data) {
      var added = 0;
      (data.images || []).forEach(function (image) {
        if (gallery.querySelector(".tile[data-image-id='" + image.id + "']")) return;
        var tile = buildTile(image);
        if (!tile) return;
        var placeholder = placeholdersOf(image.generation_id)[0];
        if (placeholder) placeholder.remove();
        insertBeforeImages(tile);
        since = Math.max(since, image.id);
        added++;
      });
      var active = false;
      (data.generations || []).forEach(function (generation) {
        if (applyGeneration(generation)) active = true;
      });
      showCounts(data);
      if (added) {
        announce(added + (added === 1 ? " new image" : " new images") + " in the gallery.");
        var empty = document.querySelector("[data-empty-state]");
        if (empty) empty.remove();
      }
      return active || watched().length ? FAST : SLOW;
    });
  }

  poller(tick).start();
}

/* ------------------------------------------------------------ one generation */
function setUpGeneration(page) {
  var url = page.dataset.statusUrl;
  var gallery = page.querySelector("[data-generation-images]");
  // The status the page was rendered with: a change before the first poll is announced too.
  var lastStatus = page.dataset.status || null;

  function tick() {
    return getJSON(url).then(function (data) {
      var pill = page.querySelector("[data-status-pill]");
      if (pill) {
        pill.className = "pill pill-" + data.status;
        pill.textContent = data.status_label;
      }
      var text = page.querySelector("[data-status-text]");
      if (text) text.textContent = data.status_label + "…";
      var progressText = page.querySelector("[data-progress-text]");
      if (progressText) progressText.textContent = (data.progress || 0) + "%";
      var progress = page.querySelector("[data-status-progress]");
      if (progress) progress.value = data.progress || 0;

      var added = 0;
      (data.images || []).forEach(function (image) {
        if (gallery.querySelector(".tile[data-image-id='" + image.id + "']")) return;
        var tile = buildTile(image);
        if (!tile) return;
        var placeholder = gallery.querySelector("[data-placeholder]");
        if (placeholder) gallery.insertBefore(tile, placeholder);
        else gallery.appendChild(tile);
        added++;
      });
      var wanted = data.is_active ? Math.max(0, data.num_variations - (data.images || []).length) : 0;
      gallery.querySelectorAll("[data-placeholder]").forEach(function (tile, index) {
        if (index >= wanted) tile.remove();
        else updatePlaceholder(tile, data);
      });

      if (!data.is_active) {
        var panel = page.querySelector("[data-status-panel]");
        if (panel) panel.classList.add("is-hidden");
        var errorPanel = page.querySelector("[data-error-panel]");
        if (errorPanel && data.error_title) {
          var errorTitle = errorPanel.querySelector("[data-error-title]");
          if (errorTitle) errorTitle.textContent = data.error_title;
          errorPanel.querySelector("[data-error-text]").textContent = data.error;
          errorPanel.classList.remove("is-hidden");
        }
        page.querySelectorAll("[data-show-when]").forEach(function (el) {
          var when = el.dataset.showWhen;
          el.hidden = !(when === "retryable" && data.retry_can_help);
        });
        var empty = page.querySelector("[data-empty-state]");
        if (empty && added) empty.remove();
      }
      if (data.status !== lastStatus && lastStatus !== null) announce(data.announcement);
      lastStatus = data.status;
      return data.is_active ? FAST : null;
    });
  }

  if (page.dataset.active === "1") poller(tick).start();
}

function start() {
  var gallery = document.querySelector("[data-gallery][data-live-url]");
  if (gallery && gallery.dataset.live === "1") setUpGallery(gallery);
  var page = document.querySelector("[data-generation-page]");
  if (page) setUpGeneration(page);
}

// Module scripts run once the document is parsed.
start();
