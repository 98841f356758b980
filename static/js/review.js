/*
 * microcred: the reviewer's pages, made quicker with JavaScript. Our own code, no library.
 *
 * The pages work without this file: the scoring page's Save button posts every score. With it:
 * - each criterion's level and comments autosave through the reviews API (PATCH .../review), sending only
 *   the criteria changed since the last save; the state ("Saving…", "Saved", "Not saved") is in the page's
 *   polite live region, so it is announced without moving focus;
 * - a failed save is retried with a growing delay; a refusal (a 4xx) is shown with the server's words and
 *   not retried, since sending the same thing again would be refused again;
 * - choosing a level below the passing one says, beside both comment boxes, that they are now required;
 * - an error summary is focused when the page loads, so it is read first.
 * Submitting stays a plain form post: it is final, and the next page asks for confirmation.
 */
(function () {
  "use strict";

  (function focusOnLoad() {
    const flagged = document.querySelector("[data-focus-on-load]");
    if (flagged) flagged.focus();
  })();

  const configElement = document.getElementById("review-config");
  const form = document.querySelector("[data-score-form]");
  const statusElement = document.getElementById("save-status");
  if (!configElement || !form || !statusElement) return;
  const config = JSON.parse(configElement.textContent);
  const passing = new Set(config.passing || []);
  const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
  const DEBOUNCE = 800;

  const dirty = new Set();
  let timer = null;
  let inFlight = false;
  let retries = 0;

  function csrfToken() {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setStatus(state, text) {
    statusElement.dataset.state = state;
    statusElement.textContent = text;
  }

  function criterionOf(element) {
    const fieldset = element.closest("[data-criterion]");
    return fieldset ? fieldset.dataset.criterion : null;
  }

  function valuesOf(criterion) {
    const fieldset = form.querySelector('[data-criterion="' + criterion + '"]');
    const chosen = fieldset.querySelector('input[type=radio]:checked');
    const entry = { level: chosen ? chosen.value : "" };
    ["reasoning", "suggestion"].forEach(function (key) {
      const box = fieldset.querySelector('textarea[name="score.' + criterion + "." + key + '"]');
      if (box) entry[key] = box.value;
    });
    return entry;
  }

  function showNeed(criterion) {
    const fieldset = form.querySelector('[data-criterion="' + criterion + '"]');
    const chosen = fieldset.querySelector("input[type=radio]:checked");
    const below = chosen !== null && !passing.has(chosen.value);
    fieldset.querySelectorAll("[data-comment-need]").forEach(function (note) {
      note.textContent = below
        ? "(required: below " + config.passingLabel + ")"
        : "(required below " + config.passingLabel + ")";
    });
  }

  function schedule(delay) {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function problemText(body) {
    if (body && Array.isArray(body.errors) && body.errors.length) {
      return body.errors.map(function (error) { return error.message; }).join("; ");
    }
    return (body && body.detail) || "the server refused the scores";
  }

  function save() {
    timer = null;
    if (inFlight || dirty.size === 0) return;
    const sending = Array.from(dirty);
    const scores = {};
    sending.forEach(function (criterion) { scores[criterion] = valuesOf(criterion); });
    dirty.clear();
    inFlight = true;
    setStatus("saving", "Saving…");
    fetch(config.saveUrl, {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify({ scores: scores }),
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { ok: response.ok, status: response.status, body: body };
        });
      })
      .then(function (result) {
        inFlight = false;
        if (result.ok) {
          retries = 0;
          if (dirty.size) { schedule(DEBOUNCE); return; }
          setStatus("saved", "Saved");
          return;
        }
        if (result.status >= 400 && result.status < 500) {
          // Sending the same again would be refused again: say why and let the reviewer act.
          setStatus("error", "Not saved: " + problemText(result.body) + ". Your scores are still on this page.");
          return;
        }
        throw new Error("server error " + result.status);
      })
      .catch(function () {
        inFlight = false;
        sending.forEach(function (criterion) { dirty.add(criterion); });
        const delay = RETRY_DELAYS[Math.min(retries, RETRY_DELAYS.length - 1)];
        retries += 1;
        setStatus("retrying", "Not saved — retrying in " + Math.round(delay / 1000) + " s. Your scores are still on this page.");
        schedule(delay);
      });
  }

  form.addEventListener("change", function (event) {
    const criterion = criterionOf(event.target);
    if (!criterion) return;
    if (event.target.type === "radio") showNeed(criterion);
    dirty.add(criterion);
    schedule(event.target.type === "radio" ? 100 : DEBOUNCE);
  });

  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") return;
    const criterion = criterionOf(event.target);
    if (!criterion) return;
    dirty.add(criterion);
    schedule(DEBOUNCE);
  });
})();
