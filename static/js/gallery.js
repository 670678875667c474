/* Gallery pages (a campaign's gallery, a generation, a shared gallery): justified rows, and
   arrow keys move between tiles, Home/End jump, F toggles the favourite. */
import { toggleFavourite } from "./lib/favourites.js";

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

setUpRows();
setUpGalleryKeys();
