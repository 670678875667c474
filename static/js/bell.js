/* The header bell follows the unread count without a reload: it asks /notifications/count.json
   every POLL_MS while the tab is visible, at once when the tab comes back, slows down after
   errors and stops once the person is signed out. Without JavaScript the count still shows on
   every page load. The label comes from the server (one wording), set with textContent. */
var POLL_MS = 15000;
var MAX_BACKOFF_MS = 300000;

function follow(bell) {
  var url = bell.dataset.bellUrl;
  var badge = bell.querySelector("[data-bell-count]");
  var label = bell.querySelector("[data-bell-label]");
  var announcer = document.querySelector("[data-bell-announcer]");
  var shown = parseInt(badge.textContent, 10) || 0;
  var timer = null;
  var failures = 0;
  var busy = false;
  var stopped = false;

  function show(data) {
    var unread = Math.max(0, parseInt(data.unread, 10) || 0);
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
    label.textContent = data.label;
    if (unread > shown) {
      bell.classList.remove("is-new");
      void bell.offsetWidth; // restart the animation
      bell.classList.add("is-new");
      if (announcer) announcer.textContent = data.label;
    }
    shown = unread;
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    if (!stopped) timer = window.setTimeout(check, ms);
  }

  function check() {
    if (document.hidden || busy) return; // a hidden tab waits for visibilitychange
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) {
          stopped = true; // signed out (the login page answered): nothing more to follow
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        busy = false;
        if (!data) return;
        failures = 0;
        show(data);
        schedule(POLL_MS);
      })
      .catch(function () {
        busy = false;
        failures++;
        schedule(Math.min(MAX_BACKOFF_MS, POLL_MS * Math.pow(2, failures)));
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) schedule(0);
  });
  schedule(POLL_MS);
}

var bell = document.querySelector("[data-bell][data-bell-url]");
if (bell) follow(bell);
