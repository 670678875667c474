/* Submits `form` as if `submitter` (optional) was clicked, so submit handlers and constraint
   validation still run; browsers without requestSubmit just post it. */
export function submitForm(form, submitter) {
  if (typeof form.requestSubmit === "function") {
    if (submitter) form.requestSubmit(submitter);
    else form.requestSubmit();
  } else if (submitter) {
    submitter.click();
  } else {
    form.submit();
  }
}

export function csrfToken(form) {
  var input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}
