/* GET a JSON document for a poller. A redirect (to the sign-in page) or an error status rejects,
   so the caller backs off instead of reading a page as data. */
export function getJSON(url) {
  return fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    cache: "no-store",
  }).then(function (response) {
    if (response.redirected || !response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  });
}
