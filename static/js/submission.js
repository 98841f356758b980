/*
 * microcred: the submission steps, made quicker with JavaScript. Our own code, no library.
 *
 * The pages work without this file: every button posts the whole step. With it:
 * - answers autosave while typing (debounced) through the JSON API, PATCHing only the fields that
 *   changed, with the revision the page knows as base_revision; the status ("Saving…", "Saved",
 *   "Not saved — retrying") is in a polite live region;
 * - whatever is typed is kept in localStorage until the server confirms it, so a reload, a lost
 *   connection or an expired session loses nothing; on the next load newer local values are put back
 *   and saved;
 * - a stale save (another tab saved the same answer) gets 409: both versions are shown and the
 *   educator chooses; nothing is overwritten silently. After every save the page compares the server's
 *   answers with what it showed, so a field changed elsewhere is refreshed (or, if it was also edited
 *   here, treated as a conflict) before this page could send a stale copy of it;
 * - word counts update live; crossing a limit is announced once;
 * - list entries are added and removed in place, files upload as soon as they are chosen, and
 *   "Check my submission" shows the findings in place.
 *
 * Why not htmx (which DESIGN.md suggests): no third-party script may be shipped or fetched here, and
 * the conflict and offline handling need client state that htmx's swaps would not keep anyway.
 */
(function () {
  "use strict";

  const configElement = document.getElementById("submission-config");
  if (!configElement) return;
  const config = JSON.parse(configElement.textContent);
  const form = document.querySelector("[data-step-form]");
  const statusElement = document.getElementById("save-status");
  const announcer = document.getElementById("announcer");
  const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];
  const DEBOUNCE = 800;
  const RATING = "self_evaluation:";

  // ----- small helpers -------------------------------------------------------------------------------

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return (input && input.value) || cookie("csrftoken");
  }

  function announce(text) {
    if (!announcer) return;
    // Clearing first makes a repeated message be read again.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // The same rule as submissions.values.word_count: whitespace-separated tokens holding a letter or a digit.
  function countWords(text) {
    return text.split(/\s+/).filter(function (token) { return /[\p{L}\p{N}]/u.test(token); }).length;
  }

  // A value as the server would store it, for comparison: blanks are nothing, list entry ids are ignored.
  function normalise(value) {
    if (value === undefined || value === null) return null;
    if (typeof value === "string") return value.trim() === "" ? null : value.replace(/\r\n?/g, "\n");
    if (Array.isArray(value)) {
      const items = value.map(normalise).filter(function (item) { return item !== null; });
      return items.length ? items : null;
    }
    if (typeof value === "object") {
      const out = {};
      Object.keys(value).sort().forEach(function (key) {
        if (key === "id") return;
        const item = normalise(value[key]);
        if (item !== null) out[key] = item;
      });
      return Object.keys(out).length ? out : null;
    }
    return value;
  }

  function canon(value) {
    return JSON.stringify(normalise(value));
  }

  function escapeSelector(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/["\\]/g, "\\$&");
  }

  // ----- element ids (the same scheme as submissions.forms) -----------------------------------------

  function fieldAnchor(ref, entry) {
    const bits = ref.split(".");
    if (bits.length === 3 && entry) return "f-" + bits[0] + "-" + bits[1] + "-" + entry + "-" + bits[2];
    if (bits.length === 3) return "f-" + bits[0] + "-" + bits[1];
    return "f-" + bits.join("-");
  }

  // ----- word counts -----------------------------------------------------------------------------------

  function updateCount(textarea, quiet) {
    const counter = document.getElementById(textarea.dataset.count || "");
    if (!counter) return;
    const words = countWords(textarea.value);
    const max = textarea.dataset.maxWords ? parseInt(textarea.dataset.maxWords, 10) : null;
    let text = max ? words + " / " + max + " words" : words + (words === 1 ? " word" : " words");
    const over = max !== null && words > max;
    if (over) text += " — " + (words - max) + " over the limit";
    counter.textContent = text;
    counter.classList.toggle("over", over);
    const field = textarea.closest(".field");
    if (field) field.classList.toggle("field-over-limit", over);
    const wasOver = textarea.dataset.over === "true";
    if (!quiet && over !== wasOver) {
      const label = textarea.dataset.label || "This answer";
      announce(over ? label + " is over the " + max + "-word limit." : label + " is within the " + max + "-word limit again.");
    }
    textarea.dataset.over = over ? "true" : "false";
  }

  document.querySelectorAll("textarea[data-count], input[data-count]").forEach(function (box) {
    updateCount(box, true);
  });

  // ----- the step's fields: read and write them in the shape the draft stores --------------------------

  const fieldSpecs = config.fields || {};

  function fieldContainer(ref) {
    return form && form.querySelector('[data-field="' + escapeSelector(ref) + '"]');
  }

  function ratingContainer(criterion) {
    return form && form.querySelector('[data-rating="' + escapeSelector(criterion) + '"]');
  }

  function keysOnPage() {
    const keys = [];
    if (!form) return keys;
    form.querySelectorAll("[data-field]").forEach(function (element) {
      if (element.dataset.kind !== "file") keys.push(element.dataset.field);
    });
    form.querySelectorAll("[data-rating]").forEach(function (element) {
      keys.push(RATING + element.dataset.rating);
    });
    return keys;
  }

  function readSimple(container, kind) {
    if (kind === "text") {
      const box = container.querySelector("textarea, input[type=text]");
      return box ? box.value : "";
    }
    if (kind === "date") return container.querySelector("input[type=date]").value;
    if (kind === "choice" || kind === "checklist") {
      const boxes = Array.prototype.slice.call(container.querySelectorAll("input[type=radio], input[type=checkbox]"));
      const chosen = boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
      if (boxes.length && boxes[0].type === "radio") return chosen.length ? chosen[0] : null;
      return chosen;
    }
    if (kind === "short_text" || kind === "link") {
      const multiple = container.querySelector("[data-values]");
      if (multiple) {
        return Array.prototype.map.call(multiple.querySelectorAll("input"), function (box) { return box.value; })
          .filter(function (value) { return value.trim() !== ""; });
      }
      const box = container.querySelector("input");
      const value = box ? box.value : "";
      return kind === "link" ? (value.trim() ? [value] : []) : value;
    }
    return null;
  }

  function entryElements(container) {
    return Array.prototype.slice.call(container.querySelector("[data-entries]").children);
  }

  function readEntry(entry) {
    const out = {};
    const id = entry.querySelector("[data-entry-id]").value;
    if (id) out.id = id;
    entry.querySelectorAll("[data-item]").forEach(function (item) {
      out[item.dataset.item] = readSimple(item, item.dataset.kind);
    });
    return out;
  }

  function read(key) {
    if (key.indexOf(RATING) === 0) {
      const container = ratingContainer(key.slice(RATING.length));
      if (!container) return null;
      const level = container.querySelector("input[type=radio]:checked");
      const justification = container.querySelector("textarea");
      const out = { level: level ? level.value : null };
      if (justification) out.justification = justification.value;
      return out;
    }
    const container = fieldContainer(key);
    if (!container) return null;
    if (container.dataset.kind === "list") {
      // A new entry left blank is not an entry (the page pads lists to show their shape).
      return entryElements(container).map(readEntry).filter(function (entry) {
        return entry.id || normalise(entry) !== null;
      });
    }
    return readSimple(container, container.dataset.kind);
  }

  function setValues(container, values) {
    const list = container.querySelector("[data-values]");
    const max = parseInt(container.dataset.maxValues || "50", 10);
    const wanted = Math.min(Math.max(values.length + 1, 1), max);
    while (list.children.length < wanted) addValueInput(container, false);
    while (list.children.length > wanted && list.children.length > 1) list.lastElementChild.remove();
    list.querySelectorAll("input").forEach(function (box, index) { box.value = values[index] || ""; });
  }

  function writeSimple(container, kind, value) {
    if (kind === "text") {
      const box = container.querySelector("textarea, input[type=text]");
      box.value = value || "";
      updateCount(box, true);
    } else if (kind === "date") {
      container.querySelector("input[type=date]").value = value || "";
    } else if (kind === "choice" || kind === "checklist") {
      const chosen = Array.isArray(value) ? value : value ? [value] : [];
      container.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (box) {
        box.checked = chosen.indexOf(box.value) !== -1;
      });
    } else if (kind === "short_text" || kind === "link") {
      const values = Array.isArray(value) ? value : value ? [value] : [];
      if (container.querySelector("[data-values]")) setValues(container, values);
      else container.querySelector("input").value = values[0] || "";
    }
  }

  function write(key, value) {
    if (key.indexOf(RATING) === 0) {
      const container = ratingContainer(key.slice(RATING.length));
      if (!container) return;
      const rating = value || {};
      container.querySelectorAll("input[type=radio]").forEach(function (box) { box.checked = box.value === rating.level; });
      const box = container.querySelector("textarea");
      if (box) { box.value = rating.justification || ""; updateCount(box, true); }
      return;
    }
    const container = fieldContainer(key);
    if (!container) return;
    if (container.dataset.kind === "list") {
      const entries = Array.isArray(value) ? value : [];
      const holder = container.querySelector("[data-entries]");
      holder.innerHTML = "";
      const count = Math.max(entries.length, parseInt(container.dataset.minItems || "0", 10), 1);
      for (let index = 0; index < count; index += 1) {
        const entry = appendEntry(container);
        const data = entries[index] || {};
        entry.querySelector("[data-entry-id]").value = data.id || "";
        entry.querySelectorAll("[data-item]").forEach(function (item) {
          writeSimple(item, item.dataset.kind, data[item.dataset.item]);
        });
      }
      return;
    }
    writeSimple(container, container.dataset.kind, value);
  }

  // ----- list entries and multiple values ---------------------------------------------------------------

  function appendEntry(container) {
    const template = container.querySelector("template[data-entry-template]");
    const position = entryElements(container).length + 1;
    const holder = document.createElement("ol");
    holder.innerHTML = template.innerHTML.split("__n__").join(String(position));
    const entry = holder.firstElementChild;
    container.querySelector("[data-entries]").appendChild(entry);
    entry.querySelectorAll("textarea[data-count]").forEach(function (box) { updateCount(box, true); });
    return entry;
  }

  // After a removal, every later entry moves up one: its legend, names, ids and labels follow.
  function renumber(container) {
    const ref = container.dataset.field;
    const bits = ref.split(".");
    const idStem = "f-" + bits[0] + "-" + bits[1] + "-";
    const label = container.dataset.itemLabel;
    entryElements(container).forEach(function (entry, index) {
      const position = String(index + 1);
      const namePattern = new RegExp("^" + ref.replace(/\./g, "\\.") + "\\.\\d+\\.");
      const idPattern = new RegExp("^" + idStem + "\\d+-");
      entry.querySelectorAll("*").forEach(function (element) {
        if (element.name) element.name = element.name.replace(namePattern, ref + "." + position + ".");
        if (element.id) element.id = element.id.replace(idPattern, idStem + position + "-");
        ["for", "aria-describedby", "data-count"].forEach(function (attribute) {
          const value = element.getAttribute(attribute);
          if (value) {
            element.setAttribute(attribute, value.split(" ").map(function (part) {
              return part.replace(idPattern, idStem + position + "-");
            }).join(" "));
          }
        });
        if (element.hasAttribute("data-remove-entry")) {
          element.value = "remove_entry:" + ref + ":" + position;
          element.textContent = "Remove " + (label + " " + position).toLowerCase();
        }
      });
      entry.querySelector("[data-entry-legend]").textContent = label + " " + position;
    });
  }

  function addEntry(container) {
    const max = parseInt(container.dataset.maxItems || "50", 10);
    if (entryElements(container).length >= max) {
      announce("This list holds at most " + max + " entries.");
      return;
    }
    const entry = appendEntry(container);
    const first = entry.querySelector("input:not([type=hidden]), textarea");
    if (first) first.focus();
    announce(entry.querySelector("[data-entry-legend]").textContent + " added.");
  }

  function removeEntry(container, button) {
    const entry = button.closest("[data-entry]");
    const entries = entryElements(container);
    const index = entries.indexOf(entry);
    const legend = entry.querySelector("[data-entry-legend]").textContent;
    entry.remove();
    renumber(container);
    announce(legend + " removed.");
    const rest = entryElements(container);
    const next = rest[Math.min(index, rest.length - 1)];
    const target = next ? next.querySelector("input:not([type=hidden]), textarea") : container.querySelector("[data-add-entry]");
    if (target) target.focus();
    edited(container.dataset.field);
  }

  function addValueInput(container, focus) {
    const list = container.querySelector("[data-values]");
    const max = parseInt(container.dataset.maxValues || "50", 10);
    if (list.children.length >= max) return null;
    const last = list.lastElementChild;
    const item = last.cloneNode(true);
    const position = list.children.length + 1;
    const input = item.querySelector("input");
    const labelElement = item.querySelector("label");
    const stem = list.firstElementChild.querySelector("input").id;
    input.id = stem + "--" + position;
    input.value = "";
    labelElement.setAttribute("for", input.id);
    labelElement.textContent = labelElement.textContent.replace(/\d+$/, String(position));
    list.appendChild(item);
    if (focus) input.focus();
    return input;
  }

  // ----- autosave ----------------------------------------------------------------------------------------

  let revision = config.revision;
  let baseOverride = null; // an older base, for values restored from this device
  const savedRaw = {}; // key -> canon() of the value last confirmed saved
  const serverValue = {}; // key -> the value the server holds, as last seen
  let debounce = null;
  let retryTimer = null;
  let retryIndex = 0;
  let inFlight = null;
  let again = false;
  let state = "idle";
  let paused = false; // while a conflict waits for the educator's choice
  const conflicts = {}; // key -> the saved ("theirs") value

  function initialServerValue(key) {
    if (key.indexOf(RATING) === 0) return (config.ratings || {})[key.slice(RATING.length)] || null;
    return (config.saved || {})[key];
  }

  const pageKeys = keysOnPage();
  pageKeys.forEach(function (key) {
    serverValue[key] = initialServerValue(key);
    savedRaw[key] = canon(serverValue[key]);
  });

  function setStatus(next, detail) {
    if (!statusElement) return;
    const texts = {
      saving: "Saving…",
      saved: "Saved",
      retrying: "Not saved — retrying",
      error: "Not saved",
      conflict: "Not saved — this answer changed in another tab",
    };
    const text = texts[next] + (detail ? ". " + detail : "");
    if (state === next && statusElement.textContent === text) return;
    state = next;
    statusElement.dataset.state = next;
    statusElement.textContent = text;
  }

  function pendingKeys() {
    return pageKeys.filter(function (key) { return canon(read(key)) !== savedRaw[key]; });
  }

  // ----- this device's copy of unsaved values --------------------------------------------------------

  function loadStore() {
    try {
      return JSON.parse(window.localStorage.getItem(config.storageKey) || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function saveStore(store) {
    try {
      if (Object.keys(store).length) window.localStorage.setItem(config.storageKey, JSON.stringify(store));
      else window.localStorage.removeItem(config.storageKey);
    } catch (error) {
      // Storage full or disabled: the server save still runs; only the offline copy is lost.
    }
  }

  function remember(keys) {
    const store = loadStore();
    keys.forEach(function (key) {
      const value = read(key);
      if (canon(value) === savedRaw[key]) {
        delete store[key];
      } else {
        const base = store[key] ? store[key].base : revision;
        store[key] = { value: value, base: base, at: Date.now() };
      }
    });
    saveStore(store);
  }

  // ----- saving ------------------------------------------------------------------------------------------

  function serverOf(data, key) {
    if (key.indexOf(RATING) === 0) return (data.self_evaluation || {})[key.slice(RATING.length)] || null;
    const bits = key.split(".");
    const part = (data.responses || {})[bits[0]] || {};
    return part[bits[1]] === undefined ? null : part[bits[1]];
  }

  function payload(keys, base) {
    const body = { base_revision: base, responses: {}, self_evaluation: {} };
    const sent = {};
    keys.forEach(function (key) {
      const value = read(key);
      sent[key] = value;
      if (key.indexOf(RATING) === 0) body.self_evaluation[key.slice(RATING.length)] = normalise(value) === null ? null : value;
      else body.responses[key] = value;
    });
    return { body: body, sent: sent };
  }

  function request(url, options) {
    const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    if (options.method && options.method !== "GET") headers["X-CSRFToken"] = csrfToken();
    return fetch(url, Object.assign({ credentials: "same-origin" }, options, { headers: headers }));
  }

  function scheduleSave(delay) {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(function () { save(); }, delay === undefined ? DEBOUNCE : delay);
  }

  function scheduleRetry(detail) {
    setStatus("retrying", detail);
    window.clearTimeout(retryTimer);
    const delay = RETRY_DELAYS[Math.min(retryIndex, RETRY_DELAYS.length - 1)];
    retryIndex += 1;
    retryTimer = window.setTimeout(function () { save(); }, delay);
  }

  // Bring the page in line with the server after a save or a conflict: a field changed elsewhere is
  // refreshed when it was not edited here, and becomes a conflict when it was.
  function reconcile(data, sentKeys) {
    pageKeys.forEach(function (key) {
      if (sentKeys.indexOf(key) !== -1) return;
      const theirs = serverOf(data, key);
      if (canon(theirs) === canon(serverValue[key])) return;
      serverValue[key] = theirs;
      if (canon(read(key)) === savedRaw[key]) {
        write(key, theirs);
        savedRaw[key] = canon(theirs);
        announce(labelOf(key) + " was changed in another tab or device; this page now shows the saved version.");
      } else {
        savedRaw[key] = canon(theirs);
        conflicts[key] = theirs;
      }
    });
  }

  function updateEntryIds(key, value) {
    const container = fieldContainer(key);
    if (!container || container.dataset.kind !== "list" || !Array.isArray(value)) return;
    const kept = entryElements(container).filter(function (entry) {
      const data = readEntry(entry);
      return data.id || normalise(data) !== null;
    });
    kept.forEach(function (entry, index) {
      const idInput = entry.querySelector("[data-entry-id]");
      if (!idInput.value && value[index] && value[index].id) idInput.value = value[index].id;
    });
  }

  async function save() {
    window.clearTimeout(debounce);
    if (inFlight) { again = true; return inFlight; }
    if (paused) { setStatus("conflict"); return false; }
    const keys = pendingKeys();
    if (!keys.length) {
      window.clearTimeout(retryTimer);
      setStatus("saved");
      return true;
    }
    window.clearTimeout(retryTimer);
    const base = baseOverride === null ? revision : Math.min(baseOverride, revision);
    const message = payload(keys, base);
    setStatus("saving");
    inFlight = (async function () {
      let response;
      try {
        response = await request(config.urls.responses, {
          method: "PATCH",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(message.body),
        });
      } catch (error) {
        scheduleRetry("Check your connection; what you typed is kept on this device");
        return false;
      }
      let data = {};
      try { data = await response.json(); } catch (error) { data = {}; }
      if (response.ok) {
        retryIndex = 0;
        baseOverride = null;
        keys.forEach(function (key) {
          savedRaw[key] = canon(message.sent[key]);
          serverValue[key] = serverOf(data, key);
          clearClientErrors(key);
          updateEntryIds(key, serverValue[key]);
        });
        reconcile(data, keys);
        revision = data.revision;
        const revisionInput = form && form.querySelector("input[name=revision]");
        if (revisionInput) revisionInput.value = String(revision);
        remember(pageKeys);
        if (Object.keys(conflicts).length) { showConflicts(); return false; }
        if (pendingKeys().length) { scheduleSave(0); return true; }
        setStatus("saved");
        return true;
      }
      if (response.status === 409 && data.conflicts && data.conflicts.length) {
        await handleConflict(data);
        return false;
      }
      if (response.status === 409) {
        // Not a conflict of answers: the submission itself moved on (submitted, in review); saving waits.
        setStatus("error", data.detail || "");
        return false;
      }
      if (response.status === 422 || response.status === 413 || response.status === 400) {
        showClientErrors(data.errors || []);
        const first = (data.errors || [])[0];
        setStatus("error", first ? first.message : data.detail || "");
        return false;
      }
      // The API answers 404 to a request it cannot tie to the owner, which is what an ended session looks like.
      if (response.status === 401 || response.status === 403 || response.status === 404) {
        scheduleRetry("You may have been signed out: sign in again in another tab. What you typed is kept on this device");
        return false;
      }
      scheduleRetry("");
      return false;
    })();
    try {
      return await inFlight;
    } finally {
      inFlight = null;
      if (again) { again = false; scheduleSave(0); }
    }
  }

  // Save everything now and report whether the page holds nothing unsaved.
  async function saveAll() {
    for (let round = 0; round < 5; round += 1) {
      if (inFlight) await inFlight;
      const ok = await save();
      if (!ok) return false;
      if (!pendingKeys().length && !inFlight) return true;
    }
    return !pendingKeys().length;
  }

  function edited(key) {
    if (!key) return;
    remember([key]);
    if (paused) { setStatus("conflict"); return; }
    setStatus("saving");
    scheduleSave();
  }

  // ----- errors from the server ------------------------------------------------------------------------

  function clearClientErrors(key) {
    const container = key.indexOf(RATING) === 0 ? ratingContainer(key.slice(RATING.length)) : fieldContainer(key);
    if (!container) return;
    container.querySelectorAll("[data-client-error]").forEach(function (element) { element.remove(); });
    container.querySelectorAll("[aria-invalid][data-client-invalid]").forEach(function (element) {
      element.removeAttribute("aria-invalid");
      element.removeAttribute("data-client-invalid");
    });
  }

  function showClientErrors(errors) {
    errors.forEach(function (error) {
      const anchor = error.field.indexOf("self_evaluation.") === 0
        ? "se-" + error.field.split(".")[1]
        : fieldAnchor(error.field, error.entry);
      const target = document.getElementById(anchor);
      const container = target && (target.closest("[data-item]") || target.closest(".field, .rating"));
      if (!container) return;
      const list = document.createElement("ul");
      list.className = "errorlist";
      list.setAttribute("data-client-error", "");
      list.setAttribute("role", "alert");
      const item = document.createElement("li");
      item.textContent = error.message;
      list.appendChild(item);
      const before = container.querySelector("input, textarea, .options, [data-values]");
      if (before) before.parentNode.insertBefore(list, before);
      else container.appendChild(list);
      if (!target.hasAttribute("aria-invalid")) {
        target.setAttribute("aria-invalid", "true");
        target.setAttribute("data-client-invalid", "");
      }
    });
  }

  // ----- conflicts --------------------------------------------------------------------------------------

  function labelOf(key) {
    if (key.indexOf(RATING) === 0) return "Self-evaluation: " + ((config.criteria || {})[key.slice(RATING.length)] || "");
    return (fieldSpecs[key] || {}).label || key;
  }

  function describe(key, value) {
    if (value === null || value === undefined || normalise(value) === null) return "(empty)";
    if (key.indexOf(RATING) === 0) {
      const level = (config.levels || {})[value.level] || "No level chosen";
      return level + (value.justification ? ". " + value.justification : "");
    }
    return describeValue(fieldSpecs[key] || {}, value);
  }

  function describeValue(spec, value) {
    if (value === null || value === undefined || normalise(value) === null) return "(empty)";
    if (spec.kind === "list") {
      return value.map(function (entry, index) {
        const parts = (spec.order || []).filter(function (item) { return normalise(entry[item]) !== null; })
          .map(function (item) { return spec.items[item].label + ": " + describeValue(spec.items[item], entry[item]); });
        return spec.itemLabel + " " + (index + 1) + " — " + parts.join("; ");
      }).join("\n");
    }
    const values = Array.isArray(value) ? value : [value];
    return values.map(function (item) { return (spec.options && spec.options[item]) || String(item); }).join(", ");
  }

  async function handleConflict(data) {
    paused = true;
    (data.conflicts || []).forEach(function (conflict) {
      const key = conflict.section === "self_evaluation" ? RATING + conflict.field : conflict.field;
      conflicts[key] = conflict.theirs;
    });
    try {
      const response = await request(config.urls.submission, { method: "GET" });
      if (response.ok) {
        const current = await response.json();
        Object.keys(conflicts).forEach(function (key) {
          conflicts[key] = serverOf(current, key);
          serverValue[key] = conflicts[key];
          savedRaw[key] = canon(conflicts[key]);
        });
        reconcile(current, Object.keys(conflicts));
        revision = current.revision;
        baseOverride = null;
      }
    } catch (error) {
      // Without the full draft the conflicting fields alone are shown; the choice still resolves them.
      revision = data.revision || revision;
    }
    showConflicts();
  }

  function conflictPanel() {
    let panel = document.getElementById("conflict-panel");
    if (!panel) {
      panel = document.createElement("section");
      panel.id = "conflict-panel";
      panel.className = "conflict-panel";
      panel.tabIndex = -1;
      panel.setAttribute("aria-labelledby", "conflict-title");
      form.insertBefore(panel, form.querySelector("[data-field], [data-rating]"));
    }
    return panel;
  }

  function showConflicts() {
    paused = true;
    const keys = Object.keys(conflicts);
    const panel = conflictPanel();
    panel.innerHTML = "";
    panel.setAttribute("data-conflict-panel", "");
    const title = document.createElement("h2");
    title.id = "conflict-title";
    title.textContent = "This draft changed in another tab or device";
    panel.appendChild(title);
    const intro = document.createElement("p");
    intro.textContent = (keys.length === 1 ? "This answer was" : "These answers were") +
      " saved somewhere else after you opened this page, so your version was not saved. Both versions are shown: choose which one to keep.";
    panel.appendChild(intro);
    keys.forEach(function (key) {
      const block = document.createElement("div");
      block.className = "conflict";
      block.setAttribute("data-conflict", key);
      const heading = document.createElement("h3");
      heading.textContent = labelOf(key);
      block.appendChild(heading);
      const versions = document.createElement("div");
      versions.className = "versions";
      [["Your version (not saved)", read(key)], ["The saved version", conflicts[key]]].forEach(function (pair) {
        const version = document.createElement("div");
        version.className = "version";
        const label = document.createElement("h4");
        label.textContent = pair[0];
        const text = document.createElement("div");
        text.className = "version-text";
        text.textContent = describe(key, pair[1]);
        version.appendChild(label);
        version.appendChild(text);
        versions.appendChild(version);
      });
      block.appendChild(versions);
      const actions = document.createElement("div");
      actions.className = "conflict-actions";
      const keep = document.createElement("button");
      keep.type = "button";
      keep.className = "button";
      keep.textContent = "Keep my version";
      keep.addEventListener("click", function () { resolve(key, "mine"); });
      const theirs = document.createElement("button");
      theirs.type = "button";
      theirs.className = "button button-secondary";
      theirs.textContent = "Use the saved version";
      theirs.addEventListener("click", function () { resolve(key, "theirs"); });
      actions.appendChild(keep);
      actions.appendChild(theirs);
      block.appendChild(actions);
      panel.appendChild(block);
    });
    setStatus("conflict");
    panel.focus();
  }

  function resolve(key, choice) {
    if (choice === "theirs") {
      write(key, conflicts[key]);
      savedRaw[key] = canon(read(key));
    }
    delete conflicts[key];
    remember([key]);
    announce(choice === "theirs" ? labelOf(key) + ": the saved version is kept." : labelOf(key) + ": your version will be saved.");
    if (Object.keys(conflicts).length) { showConflicts(); return; }
    const panel = document.getElementById("conflict-panel");
    if (panel) panel.remove();
    paused = false;
    const target = document.getElementById(key.indexOf(RATING) === 0 ? "se-" + key.slice(RATING.length) : fieldAnchor(key));
    if (target) target.focus();
    save();
  }

  // A conflict the server found on a step posted without this script (or before it loaded) is resolved
  // with the buttons it drew; until one is pressed, nothing is saved from here.
  if (document.querySelector("[data-conflict-panel]")) paused = true;

  // ----- files -------------------------------------------------------------------------------------------

  function downloadUrl(id) {
    return config.urls.download.replace("987654321", String(id));
  }

  function fileItem(container, evidence) {
    const item = document.createElement("li");
    item.setAttribute("data-evidence", String(evidence.id));
    const link = document.createElement("a");
    link.href = downloadUrl(evidence.id);
    link.textContent = evidence.name;
    const size = document.createElement("span");
    size.className = "muted";
    size.textContent = " (" + formatSize(evidence.size) + ") ";
    const remove = document.createElement("button");
    remove.type = "submit";
    remove.name = "action";
    remove.value = "remove_evidence:" + evidence.id;
    remove.className = "button button-secondary button-small";
    remove.setAttribute("data-remove-evidence", String(evidence.id));
    remove.textContent = "Remove";
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + evidence.name;
    remove.appendChild(hidden);
    item.appendChild(link);
    item.appendChild(size);
    item.appendChild(remove);
    return item;
  }

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " bytes";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  async function upload(container, file) {
    const ref = container.dataset.field;
    const status = container.querySelector("[data-upload-status]");
    const label = container.dataset.label;
    status.textContent = "Uploading " + file.name + "…";
    clearClientErrors(ref);
    const body = new FormData();
    body.append("file", file, file.name);
    let response;
    try {
      response = await request(config.urls.evidence + "?field=" + encodeURIComponent(ref), { method: "POST", body: body });
    } catch (error) {
      status.textContent = file.name + " was not uploaded: the connection failed. Choose the file again when you are back online.";
      return;
    }
    let data = {};
    try { data = await response.json(); } catch (error) { data = {}; }
    if (response.status === 201) {
      const list = container.querySelector("[data-file-list]");
      const empty = list.querySelector("[data-no-files]");
      if (empty) empty.remove();
      list.appendChild(fileItem(container, data));
      status.textContent = file.name + " is attached to " + label + ".";
      return;
    }
    status.textContent = "";
    const errors = data.errors && data.errors.length ? data.errors : [{ field: ref, message: data.detail || "The file was not accepted." }];
    showClientErrors(errors.map(function (error) { return { field: ref, message: error.message, entry: null }; }));
  }

  async function removeEvidence(container, button) {
    const id = button.getAttribute("data-remove-evidence");
    const item = button.closest("[data-evidence]");
    const name = item.querySelector("a").textContent;
    const status = container.querySelector("[data-upload-status]");
    let response;
    try {
      response = await request(config.urls.evidenceRemove.replace("987654321", id), { method: "DELETE" });
    } catch (error) {
      status.textContent = name + " was not removed: the connection failed. Try again.";
      return;
    }
    if (response.status === 204 || response.status === 404) {
      item.remove();
      const list = container.querySelector("[data-file-list]");
      if (!list.children.length) {
        const empty = document.createElement("li");
        empty.className = "muted";
        empty.setAttribute("data-no-files", "");
        empty.textContent = "No files attached yet.";
        list.appendChild(empty);
      }
      status.textContent = name + " is removed.";
      container.querySelector("input[type=file]").focus();
      return;
    }
    let data = {};
    try { data = await response.json(); } catch (error) { data = {}; }
    status.textContent = name + " was not removed: " + (data.detail || "the server refused") + ".";
  }

  // ----- the completeness check, in place ------------------------------------------------------------------

  function stepFor(finding) {
    const steps = config.steps || [];
    const byKey = {};
    steps.forEach(function (step) { byKey[step.key] = step; });
    if (finding.criterion) return byKey["self-evaluation"] || byKey.summary;
    if (finding.field) {
      const target = (config.targets || {})[finding.field];
      return (target && byKey[target.step]) || byKey[finding.field.split(".")[0]] || byKey.summary;
    }
    return byKey.summary;
  }

  function trimmed(finding, label) {
    const prefixes = [];
    if (finding.criterion) prefixes.push("Self-evaluation, " + ((config.criteria || {})[finding.criterion] || "") + ":");
    else if (label) prefixes.push(label + " (entry " + finding.entry + "):", label + ":");
    for (let index = 0; index < prefixes.length; index += 1) {
      if (finding.message.indexOf(prefixes[index]) === 0) {
        const rest = finding.message.slice(prefixes[index].length).trim();
        return rest.charAt(0).toUpperCase() + rest.slice(1);
      }
    }
    return finding.message;
  }

  function findingTarget(finding) {
    if (finding.criterion) {
      return { label: "Self-evaluation: " + ((config.criteria || {})[finding.criterion] || finding.criterion), anchor: "se-" + finding.criterion, plain: "" };
    }
    if (!finding.field) return { label: "The whole submission", anchor: "main", plain: "" };
    const target = (config.targets || {})[finding.field] || { label: finding.field };
    let label = target.label;
    if (finding.entry && target.itemLabel) label += " (" + target.itemLabel + " " + finding.entry + ")";
    return { label: label, anchor: fieldAnchor(finding.field, finding.entry), plain: target.label };
  }

  function renderFindings(data) {
    const panel = document.getElementById("check-results");
    const body = panel.querySelector("[data-check-body]");
    body.innerHTML = "";
    const findings = data.findings || [];
    const blocking = findings.filter(function (f) { return f.severity === "blocking"; }).length;
    const advisory = findings.length - blocking;
    const verdict = document.createElement("p");
    verdict.className = "check-verdict " + (blocking ? "check-verdict-blocked" : "check-verdict-ready");
    verdict.setAttribute("role", "status");
    let text = blocking
      ? blocking + (blocking === 1 ? " thing needs" : " things need") + " to be fixed before you can submit."
      : "Nothing stops you submitting.";
    if (advisory) text += " " + advisory + (advisory === 1 ? " piece" : " pieces") + " of advice; advice does not stop you submitting.";
    verdict.textContent = text;
    body.appendChild(verdict);
    const groups = [];
    const byStep = {};
    findings.forEach(function (finding) {
      const step = stepFor(finding);
      if (!byStep[step.key]) { byStep[step.key] = { step: step, findings: [] }; groups.push(byStep[step.key]); }
      byStep[step.key].findings.push(finding);
    });
    groups.sort(function (a, b) { return a.step.number - b.step.number; });
    groups.forEach(function (group) {
      const block = document.createElement("div");
      block.className = "finding-group";
      const heading = document.createElement("h3");
      heading.textContent = group.step.title;
      block.appendChild(heading);
      const list = document.createElement("ul");
      list.className = "findings";
      group.findings.forEach(function (finding) {
        const target = findingTarget(finding);
        const item = document.createElement("li");
        item.className = "finding " + (finding.severity === "blocking" ? "finding-blocking" : "finding-advisory");
        const severity = document.createElement("span");
        severity.className = "finding-severity";
        severity.textContent = finding.severity === "blocking" ? "Must fix before submitting:" : "Advice, does not stop you submitting:";
        const link = document.createElement("a");
        link.href = (group.step.key === config.step ? "" : group.step.url) + "#" + target.anchor;
        link.textContent = target.label;
        item.appendChild(severity);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(link);
        item.appendChild(document.createTextNode(": " + trimmed(finding, target.plain)));
        list.appendChild(item);
      });
      block.appendChild(list);
      body.appendChild(block);
    });
    if (config.step !== "summary") {
      const summary = (config.steps || []).filter(function (step) { return step.key === "summary"; })[0];
      if (summary && !blocking) {
        const next = document.createElement("p");
        const link = document.createElement("a");
        link.href = summary.url;
        link.className = "button";
        link.textContent = "Go to check and submit";
        next.appendChild(link);
        body.appendChild(next);
      }
    }
    panel.hidden = false;
    panel.focus();
  }

  async function runCheck(fallbackUrl) {
    const saved = form ? await saveAll() : true;
    if (!saved) {
      announce("Your latest changes are not saved yet, so the check would not see them. Try again once they are saved.");
      return;
    }
    let response;
    try {
      response = await request(config.urls.check, { method: "GET" });
    } catch (error) {
      if (fallbackUrl) window.location.href = fallbackUrl;
      return;
    }
    if (!response.ok) {
      if (fallbackUrl) window.location.href = fallbackUrl;
      return;
    }
    renderFindings(await response.json());
  }

  // ----- wiring ------------------------------------------------------------------------------------------

  function keyOf(element) {
    const rating = element.closest("[data-rating]");
    if (rating) return RATING + rating.dataset.rating;
    const field = element.closest("[data-field]");
    if (!field || field.dataset.kind === "file") return null;
    return field.dataset.field;
  }

  if (form) {
    form.addEventListener("input", function (event) {
      const target = event.target;
      if (target.matches("textarea[data-count], input[data-count]")) updateCount(target, false);
      if (target.type === "file") return;
      edited(keyOf(target));
    });
    form.addEventListener("change", function (event) {
      const target = event.target;
      if (target.type === "file") {
        const container = target.closest("[data-field]");
        const files = Array.prototype.slice.call(target.files || []);
        (async function () {
          for (let index = 0; index < files.length; index += 1) await upload(container, files[index]);
          target.value = "";
        })();
        return;
      }
      edited(keyOf(target));
    });
    form.addEventListener("click", function (event) {
      const add = event.target.closest("[data-add-value]");
      if (add) {
        const container = add.closest("[data-field], [data-item]");
        if (!addValueInput(container, true)) announce("No more values can be added here.");
      }
    });
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const button = event.submitter;
      const action = (button && button.value) || "save";
      if (action.indexOf("add_entry:") === 0) { addEntry(button.closest("[data-field]")); return; }
      if (action.indexOf("remove_entry:") === 0) { removeEntry(button.closest("[data-field]"), button); return; }
      if (action.indexOf("remove_evidence:") === 0) { removeEvidence(button.closest("[data-field]"), button); return; }
      if (action === "use_saved") {
        // The server drew this panel: the saved versions are in config.saved, the educator's in the fields.
        document.querySelectorAll("[data-conflict]").forEach(function (block) {
          const key = block.getAttribute("data-conflict");
          write(key, serverValue[key]);
        });
      }
      if (document.querySelector("[data-conflict-panel]") && (action === "save" || action === "use_saved") && !Object.keys(conflicts).length) {
        const panel = document.getElementById("conflict-panel");
        if (panel) panel.remove();
        paused = false;
      }
      if (action === "check") { runCheck(null); return; }
      const ok = await saveAll();
      if (!ok) {
        if (statusElement) statusElement.scrollIntoView({ block: "nearest" });
        return;
      }
      if ((action === "next" || action === "previous") && button.dataset.nextUrl) {
        window.location.href = button.dataset.nextUrl;
        return;
      }
      setStatus("saved");
      announce("Step saved.");
    });
    // The multiple-value "Add another" buttons only make sense with this script.
    form.querySelectorAll("[data-add-value]").forEach(function (button) { button.hidden = false; });
  }

  // "Check my submission" outside a step form (the summary step) is a link to the check page.
  document.querySelectorAll("a[data-check-button]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      runCheck(link.href);
    });
  });

  // Going to another step: save first (briefly), so the next page shows what was typed here.
  document.querySelectorAll("a[data-step-link]").forEach(function (link) {
    link.addEventListener("click", async function (event) {
      if (!form || !pendingKeys().length || paused) return;
      event.preventDefault();
      await Promise.race([saveAll(), new Promise(function (done) { window.setTimeout(done, 3000); })]);
      window.location.href = link.href;
    });
  });

  // Same-page links to a field (error summaries, findings) move focus to it, not only the view.
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[href^='#']");
    if (!link || link.getAttribute("href").length < 2) return;
    const target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus();
  });

  // Leaving with something unsaved: send it without waiting for an answer. The copy on this device stays
  // until a later page load sees the server holds it. Not while saves are failing (no connection, no
  // session): that last try would fail too, and the copy on this device is put back on the next visit.
  window.addEventListener("pagehide", function () {
    if (!form || paused || inFlight || state === "retrying") return;
    const keys = pendingKeys();
    if (!keys.length) return;
    const message = payload(keys, baseOverride === null ? revision : Math.min(baseOverride, revision));
    try {
      fetch(config.urls.responses, {
        method: "PATCH",
        keepalive: true,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(message.body),
      });
    } catch (error) {
      // The local copy is the fallback.
    }
  });

  window.addEventListener("online", function () {
    if (state === "retrying") { retryIndex = 0; save(); }
  });

  // ----- on load ------------------------------------------------------------------------------------------

  // Values typed on this device that the server does not hold yet: put them back and save them.
  (function restore() {
    const store = loadStore();
    const restored = [];
    let base = null;
    Object.keys(store).forEach(function (key) {
      if (pageKeys.indexOf(key) === -1) return;
      const entry = store[key];
      if (canon(entry.value) === canon(read(key)) || canon(entry.value) === savedRaw[key]) {
        delete store[key];
        return;
      }
      write(key, entry.value);
      restored.push(key);
      base = base === null ? entry.base : Math.min(base, entry.base);
    });
    saveStore(store);
    if (restored.length) {
      baseOverride = base;
      announce("Restored " + restored.length + (restored.length === 1 ? " answer" : " answers") + " typed on this device that had not been saved yet.");
      edited(restored[0]);
    }
    // Unsaved values from other steps cannot be saved from here: say where they are.
    const elsewhere = Object.keys(store).filter(function (key) { return pageKeys.indexOf(key) === -1; });
    const notice = document.querySelector("[data-pending-elsewhere]");
    if (elsewhere.length && notice) {
      const steps = {};
      elsewhere.forEach(function (key) {
        const stepKey = key.indexOf(RATING) === 0 ? "self-evaluation" : ((config.targets || {})[key] || {}).step;
        const step = (config.steps || []).filter(function (s) { return s.key === stepKey; })[0];
        if (step) steps[step.key] = step;
      });
      const keys = Object.keys(steps);
      if (keys.length) {
        notice.textContent = "Some of what you typed on this device has not been saved yet. Open ";
        keys.forEach(function (key, index) {
          const link = document.createElement("a");
          link.href = steps[key].url;
          link.textContent = "step " + steps[key].number + ": " + steps[key].title;
          notice.appendChild(link);
          notice.appendChild(document.createTextNode(index === keys.length - 1 ? " to save it." : ", "));
        });
        notice.hidden = false;
      }
    }
  })();

  if (!paused && pendingKeys().length) scheduleSave(0);

  // Land on the field a link pointed at (a finding on another step, an error summary).
  (function focusOnLoad() {
    const flagged = document.querySelector("[data-focus-on-load]");
    if (flagged) { flagged.focus(); return; }
    if (window.location.hash.length > 1) {
      const target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (target && typeof target.focus === "function") target.focus();
    }
  })();
})();
