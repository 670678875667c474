/* Copying text. navigator.clipboard needs a secure context; where it is missing, `input` (a text
   field holding the text) is selected and copied the old way, or the copy is refused. */
export function canCopy() {
  return !!navigator.clipboard;
}

export function copyText(text, input) {
  if (navigator.clipboard) return navigator.clipboard.writeText(text);
  if (!input) return Promise.reject(new Error("No clipboard"));
  input.select();
  document.execCommand("copy");
  return Promise.resolve();
}
