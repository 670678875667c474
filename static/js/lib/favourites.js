/* Favourites: POST in the background and flip the star at once (reverted on failure). Used by
   the favourite forms on every page and by the F key of the gallery and the image page. */
import { csrfToken } from "./forms.js";

function renderFavourite(form, on) {
  form.classList.toggle("is-on", on);
  var value = form.querySelector("[data-favourite-value]");
  if (value) value.value = on ? "0" : "1";
  var button = form.querySelector("button");
  if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
  var label = form.querySelector("[data-favourite-label]");
  if (label) label.textContent = on ? "Favourite" : "Add to favourites";
}

export function toggleFavourite(form) {
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
