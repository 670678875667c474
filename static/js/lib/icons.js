/* Icons that scripts add to the page: the same shapes as the {% icon %} template tag
   (generation/templatetags/studio.py), as fixed markup that never carries data. */
var CLOSE_PATH = '<path d="M6.5 6.5l11 11M17.5 6.5l-11 11"/>';

/* The "x" of a dismiss or remove button; small buttons draw it a little bolder. */
export function closeIcon(strokeWidth) {
  return (
    '<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="' +
    (strokeWidth || "1.75") +
    '" stroke-linecap="round" aria-hidden="true" focusable="false">' +
    CLOSE_PATH +
    "</svg>"
  );
}
