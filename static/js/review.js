/*
 * microcred: the scoring page's autosave, what htmx cannot do for it. htmx posts the scoring form to its own view on
 * each change (hx-trigger in reviews/score.html) and swaps in the status and the "required" notes the server draws.
 * This only shows a save on its way (its words in the page's language: the status's data-saving, data-retrying) and
 * retries, with a growing delay, a save that did not arrive (no connection, a server error, a session that ended); a
 * refusal (4xx) brings the server's words instead and is not retried: the same scores would be refused again.
 * It also counts this page's saves (save_step, beside the page's save_page token) so the server keeps the newest when
 * an earlier save reaches it late: after a later autosave, or after "Submit review…" posted the whole page.
 */
(function () {
  "use strict";

  const form = document.querySelector("[data-score-form][hx-post]");
  const status = document.getElementById("save-status");
  if (!form || !status) return;
  const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
  let retries = 0;
  const stepField = form.querySelector("[data-save-step]");
  let step = Number(stepField ? stepField.value : 0);
  const nextStep = () => {
    step += 1;
    if (stepField) stepField.value = String(step);
    return String(step);
  };

  form.addEventListener("htmx:configRequest", (event) => {
    event.detail.parameters.save_step = nextStep();
  });
  // A button's post is counted too: the form's values are gathered after this event.
  form.addEventListener("submit", nextStep);

  form.addEventListener("htmx:beforeRequest", () => {
    status.dataset.state = "saving";
    status.textContent = status.dataset.saving;
  });

  form.addEventListener("htmx:afterRequest", (event) => {
    const code = event.detail.xhr.status;
    // A session that ended answers with the sign-in page instead of the status: no status came back.
    const arrived = code >= 200 && code < 300 && status.textContent !== status.dataset.saving;
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
