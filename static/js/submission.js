/*
 * microcred: what htmx cannot do for the submission steps. Without any script each step posts as a page; htmx posts
 * its buttons and chosen files and swaps in the form the server draws again. This keeps what only a browser can hold:
 * - autosave while typing, through the JSON API (PATCH .../responses with the revision the answers were based on),
 *   retried with a growing delay; a save refused as stale (409) has the server draw both versions, and an answer
 *   saved meanwhile elsewhere has the step drawn again before this page could overwrite it;
 * - a copy of unsaved answers in localStorage until the server holds them (reload, lost connection, ended session);
 * - live word counts, announcing once when a limit is crossed. Words shown come in the page's language (t, below).
 */
(function () {
  "use strict";

  const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
  const DEBOUNCE = 800;
  const RATING = "self_evaluation:";
  const T = JSON.parse(document.getElementById("script-messages")?.textContent || "{}"); // {% script_messages %}
  const t = (text, values = {}) => (T[text] || text).replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  const announcer = document.getElementById("announcer");
  let form = null;
  let data = {};
  const shown = {}; // key -> JSON of the value the page showed when it last matched the server
  const known = {}; // key -> JSON of the value the server held, as last seen
  let paused = false; // a conflict waits for the educator's choice
  let timer = null;
  let retries = 0;
  let inFlight = null;
  let redrawing = false; // the form's redraw on its way: the revision it brings is not known yet

  const canon = (value) => JSON.stringify(value === undefined ? null : value);
  const filled = (value) => (Array.isArray(value) ? value.length > 0 : value !== null && value.trim() !== "");
  const choosable = (element) => element.type === "radio" || element.type === "checkbox";

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = ""; // cleared first, so that the same message twice is read twice
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  function setStatus(text, state) {
    const status = document.getElementById("save-status");
    if (!status) return;
    status.dataset.state = state;
    status.textContent = text;
  }

  // The same rule as submissions.values.word_count.
  function updateCount(box, quiet) {
    const counter = document.getElementById(box.dataset.count);
    if (!counter) return;
    const words = box.value.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
    const max = box.dataset.maxWords ? parseInt(box.dataset.maxWords, 10) : null;
    const over = max !== null && words > max;
    counter.textContent = t(max ? "%(words)s / %(max)s words" : words === 1 ? "%(words)s word" : "%(words)s words",
      { words, max }) + (over ? " — " + t("%(over)s over the limit", { over: words - max }) : "");
    counter.classList.toggle("over", over);
    box.closest(".field").classList.toggle("field-over-limit", over);
    if (!quiet && over !== (box.dataset.over === "true")) {
      const where = over ? "%(label)s is over the %(max)s-word limit." : "%(label)s is within the %(max)s-word limit again.";
      announce(t(where, { label: box.dataset.label || t("This answer"), max }));
    }
    box.dataset.over = String(over);
  }

  // ----- the answers on the page, in the shape the draft stores them (the widget's data-shape) ---------------

  const boxes = () => (form ? Array.from(form.querySelectorAll("[data-key]")) : []);
  const inputsOf = (box) => Array.from(box.querySelectorAll("input:not([type=hidden]):not([type=file]), textarea"));

  function valueOf(box) {
    if (box.dataset.shape === "list") {
      // A new entry left blank is not an entry: the page pads lists to show their shape.
      return Array.from(box.querySelectorAll("[data-entry]"), (entry) => {
        const out = {};
        const id = entry.querySelector("[data-entry-id]").value;
        if (id) out.id = id;
        entry.querySelectorAll("[data-item]").forEach((item) => { out[item.dataset.item] = valueOf(item); });
        return out;
      }).filter((entry) => entry.id || Object.values(entry).some(filled));
    }
    if (box.dataset.shape === "rating") {
      const level = box.querySelector("input[type=radio]:checked");
      const why = box.querySelector("textarea");
      const out = { level: level ? level.value : null };
      if (why) out.justification = why.value;
      return out.level || (why && filled(why.value)) ? out : null;
    }
    const values = inputsOf(box).filter((element) => !choosable(element) || element.checked).map((e) => e.value);
    if (box.dataset.shape === "many") return values.filter(filled);
    return values.length ? values[0] : null;
  }

  // What was typed, as [name, value] pairs: enough to put it back into the same fields drawn again.
  const pairsOf = (box) => inputsOf(box).filter((e) => !choosable(e) || e.checked).map((e) => [e.name, e.value]);

  function write(box, pairs) {
    const left = pairs.slice();
    inputsOf(box).forEach((element) => {
      const matches = ([name, value]) => name === element.name && (!choosable(element) || value === element.value);
      const at = left.findIndex(matches);
      if (choosable(element)) element.checked = at !== -1;
      else if (at !== -1) element.value = left[at][1];
      if (at !== -1) left.splice(at, 1);
    });
  }

  const pending = () => boxes().filter((box) => canon(valueOf(box)) !== shown[box.dataset.key]);
  const revisionInput = () => form.querySelector("input[name=revision]");

  // ----- this device's copy of what is not saved yet ------------------------------------------------------------

  function loadStore() {
    try {
      return JSON.parse(window.localStorage.getItem(data.storageKey) || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function saveStore(store) {
    try {
      if (Object.keys(store).length) window.localStorage.setItem(data.storageKey, JSON.stringify(store));
      else window.localStorage.removeItem(data.storageKey);
    } catch (error) {
      // Storage full or turned off: the save to the server still runs; only the copy on this device is lost.
    }
  }

  // Each copy keeps the revision its value was based on, so that a value put back after a reload is saved as the
  // change it is: if the answer was saved elsewhere since, the server finds a conflict instead of overwriting it.
  function remember(box) {
    const store = loadStore();
    const key = box.dataset.key;
    if (!paused && canon(valueOf(box)) === shown[key]) delete store[key];
    else store[key] = { pairs: pairsOf(box), base: store[key] ? store[key].base : Number(revisionInput().value) };
    saveStore(store);
  }

  // ----- saving -------------------------------------------------------------------------------------------------

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function retry(detail) {
    setStatus(t("Not saved — retrying") + (detail ? ". " + detail : ""), "retrying");
    schedule(RETRY_DELAYS[Math.min(retries, RETRY_DELAYS.length - 1)]);
    retries += 1;
  }

  function edited(box) {
    remember(box);
    if (paused) return setStatus(t("Not saved — this answer changed in another tab"), "conflict");
    setStatus(t("Saving…"), "saving");
    schedule(DEBOUNCE);
  }

  async function save() {
    window.clearTimeout(timer);
    if (inFlight) return inFlight.then(save);
    if (redrawing) return false; // the redrawn form saves what is still pending, on the revision it brings
    const sending = pending();
    if (paused || !sending.length) {
      if (!paused) setStatus(t("Saved"), "saved");
      return !paused;
    }
    const store = loadStore();
    const sent = {};
    const body = { base_revision: Number(revisionInput().value), responses: {}, self_evaluation: {} };
    sending.forEach((box) => {
      const key = box.dataset.key;
      sent[key] = valueOf(box);
      if (store[key]) body.base_revision = Math.min(body.base_revision, store[key].base);
      if (key.startsWith(RATING)) body.self_evaluation[key.slice(RATING.length)] = sent[key];
      else body.responses[key] = sent[key];
    });
    setStatus(t("Saving…"), "saving");
    inFlight = send(body, sent).finally(() => { inFlight = null; });
    return inFlight;
  }

  async function send(body, sent) {
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    let response;
    let answer;
    try {
      response = await fetch(data.responses, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Prefer: "return=minimal", "X-CSRFToken": token },
        body: JSON.stringify(body),
      });
      answer = await response.json().catch(() => ({}));
    } catch (error) {
      retry(t("Check your connection; what you typed is kept on this device"));
      return false;
    }
    if (response.ok) {
      retries = 0;
      return saved(answer, sent);
    }
    if (response.status === 409 && answer.conflicts && answer.conflicts.length) {
      paused = true;
      setStatus(t("Not saved — this answer changed in another tab"), "conflict");
      const keys = answer.conflicts.map((c) => (c.section === "self_evaluation" ? RATING : "") + c.field);
      htmx.ajax("POST", form.getAttribute("hx-post"), {
        source: form, target: form, swap: "outerHTML", values: { action: "show_conflicts", conflicted: keys },
      });
    } else if ([401, 403, 404].includes(response.status)) {
      // The API answers 404 to a request it cannot tie to the owner, which is what an ended session looks like.
      retry(t("You may have been signed out: sign in again in another tab. What you typed is kept on this device"));
    } else if (response.status >= 500) {
      retry("");
    } else {
      // Refused (a bad value, or the submission moved on): the same again would be refused again.
      const first = (answer.errors || [])[0];
      setStatus(t("Not saved.") + " " + (first ? first.message : answer.detail || ""), "error");
    }
    return false;
  }

  function saved(answer, sent) {
    const store = loadStore();
    let stale = false;
    boxes().forEach((box) => {
      const key = box.dataset.key;
      const theirs = canon(serverValue(answer, key));
      if (!(key in sent)) {
        stale = stale || theirs !== known[key];
        return;
      }
      shown[key] = canon(sent[key]);
      known[key] = theirs;
      // Typed while the save was on its way: based on what was just saved.
      if (canon(valueOf(box)) === shown[key]) delete store[key];
      else if (store[key]) store[key].base = answer.revision;
    });
    saveStore(store);
    if (stale) {
      // Drawn again from the server; what was typed here and not saved comes back from this device's copy.
      redrawing = htmx.ajax("GET", form.getAttribute("hx-post"), { target: form, swap: "outerHTML" })
        .finally(() => { if (redrawing) { redrawing = false; retry(""); } });
      announce(t("An answer on this step was changed in another tab or device; the page now shows the saved version."));
      return false;
    }
    revisionInput().value = String(answer.revision);
    if (pending().length) schedule(0);
    else setStatus(t("Saved"), "saved");
    return true;
  }

  function serverValue(answer, key) {
    if (key.startsWith(RATING)) return (answer.self_evaluation || {})[key.slice(RATING.length)];
    const [part, field] = key.split(".");
    return ((answer.responses || {})[part] || {})[field];
  }

  async function saveAll() {
    for (let round = 0; round < 5; round += 1) {
      if (!(await save())) return false;
      if (!pending().length && !inFlight) return true;
    }
    return false;
  }

  // ----- the form as the server drew it: on load, and each time htmx swaps it in -------------------------------

  function start(first) {
    form = document.getElementById("step-form");
    if (!form) return;
    data = JSON.parse(form.dataset.autosave);
    redrawing = false;
    paused = Boolean(form.querySelector("[data-conflict-panel]"));
    const store = loadStore();
    const restored = boxes().filter((box) => {
      const key = box.dataset.key;
      shown[key] = canon(valueOf(box));
      known[key] = canon(data.saved[key]);
      if (!store[key]) return false;
      write(box, store[key].pairs);
      if (canon(valueOf(box)) !== shown[key]) return true;
      if (form.hasAttribute("data-shows-stored")) delete store[key];
      return false;
    });
    saveStore(store);
    form.querySelectorAll("[data-count]").forEach((box) => updateCount(box, true));
    const focus = form.dataset.focus && document.getElementById(form.dataset.focus);
    if (focus) focus.focus();
    if (first && restored.length) {
      const what = restored.length === 1 ? "Restored 1 answer" : "Restored %(count)s answers";
      announce(t(what + " typed on this device that had not been saved yet.", { count: restored.length }));
    }
    if (restored.length) edited(restored[0]);
  }

  function onEdit(event) {
    if (event.type === "input" && event.target.matches("[data-count]")) updateCount(event.target, false);
    const box = form && event.target.closest("[data-key]");
    if (box && form.contains(box)) edited(box);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  // Before a button's post (or a chosen file's), save what was typed, so the post does not race its own save.
  // The post goes even when that save was refused: the server then draws what is wrong. While a conflict
  // waits, the post is the educator's choice and goes at once; a conflict found now waits for the choice.
  document.addEventListener("htmx:confirm", (event) => {
    if (!form || !form.contains(event.detail.elt) || paused || (!inFlight && !pending().length)) return;
    event.preventDefault();
    saveAll().then(() => {
      if (paused) return;
      setStatus(t("Saving…"), "saving");
      event.detail.issueRequest(true);
    });
  });
  document.addEventListener("htmx:load", (event) => {
    if (event.target.id === "step-form") start(false);
  });
  // A post that swaps nothing in still says what happened: a file on its way, no connection, a refusal.
  function told(event, text) {
    const element = event.detail.elt;
    if (element.type === "file") element.parentElement.querySelector("[data-upload-status]").textContent = text;
    else setStatus(text, "error");
  }
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.type === "file") told(event, t("Uploading…"));
  });
  document.addEventListener("htmx:sendError", (event) => told(event,
    t("Not sent: the connection failed. Try again when you are back online; what you typed is kept on this device.")));
  document.addEventListener("htmx:responseError", (event) => told(event,
    t("Not sent: the server refused it. Reload the page; what you typed is kept on this device.")));

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a");
    if (event.target.closest("button[value=use_saved]")) {
      // The educator chose the saved version: their own is dropped, not put back from this device's copy.
      const store = loadStore();
      form.querySelectorAll("[data-conflict]").forEach((block) => { delete store[block.dataset.conflict]; });
      saveStore(store);
    } else if (link && link.hasAttribute("data-step-link") && form && !paused && (inFlight || pending().length)) {
      // Going to another step: save first (briefly), so that the next page shows what was typed here.
      event.preventDefault();
      Promise.race([saveAll(), new Promise((done) => window.setTimeout(done, 3000))]).then(() => {
        window.location.href = link.href;
      });
    } else if (link && link.pathname === window.location.pathname && focusTarget(link.hash)) {
      // A link to a field on this page (an error summary, a finding) moves focus to it, not only the view.
      event.preventDefault();
    }
  });

  function focusTarget(hash) {
    const target = hash.length > 1 && document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return false;
    target.scrollIntoView({ block: "center" });
    target.focus();
    return true;
  }

  start(true);
  focusTarget(window.location.hash); // the field a link from another page pointed at
})();
