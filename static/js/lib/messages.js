/* Removes one flash message, and the message list with it once it is empty. */
export function removeMessage(message) {
  var list = message.parentElement;
  message.remove();
  if (list && !list.querySelector("[data-message]")) list.remove();
}
