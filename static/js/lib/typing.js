/* Is the person typing in a field? Single-key shortcuts (gallery, image page, review queue) stand
   aside while they are, so "f" or "j" goes into the text box instead. */
export function isTyping(event) {
  var el = event.target;
  if (!el || !el.closest) return false;
  return !!el.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
}
