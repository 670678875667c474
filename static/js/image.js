/* Image page: ← newer, → older, F favourite. */
import { toggleFavourite } from "./lib/favourites.js";
import { isTyping } from "./lib/typing.js";

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

setUpImageKeys();
