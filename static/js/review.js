/*
 * microcred: the scoring page's autosave, what htmx cannot do for it (htmx posts the form on each change and swaps in
 * the status and the "required" notes the server draws). This shows a save on its way in the page's language, retries
 * with a growing delay a save that did not arrive (no connection, a server error, an ended session) but not a refusal
 * (4xx: it would be refused again), and numbers the page's saves (save_step) so the server keeps the newest when an
 * earlier one reaches it late, after a later autosave or after "Submit review…" posted the page.
 */
(function () {
  "use strict";
  const form = document.querySelector("[data-score-form][hx-post]");
  const status = document.getElementById("save-status");
  if (!form || !status) return;
  const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
  let retries = 0;
  const step = form.querySelector("[data-save-step]");
  const nextStep = () => (step.value = String(Number(step.value) + 1));
  form.addEventListener("submit", nextStep); // a button's post: the form's values are gathered after this event
  form.addEventListener("htmx:configRequest", (event) => (event.detail.parameters.save_step = nextStep()));
  form.addEventListener("htmx:beforeRequest", () => {
    status.dataset.state = "saving";
    status.textContent = status.dataset.saving;
  });
  form.addEventListener("htmx:afterRequest", (event) => {
    const code = event.detail.xhr.status;
    const arrived = code >= 200 && code < 300 && status.textContent !== status.dataset.saving; // else a sign-in page
    if (arrived || (code >= 400 && code < 500)) {
      retries = 0;
      status.dataset.state = arrived ? "saved" : "error";
      return;
    }
    const delay = RETRY_DELAYS[Math.min(retries, RETRY_DELAYS.length - 1)];
    retries += 1;
    status.dataset.state = "retrying";
    status.textContent = status.dataset.retrying.replace("{seconds}", String(delay / 1000));
    window.setTimeout(() => htmx.trigger(form, "retry"), delay);
  });
})();
