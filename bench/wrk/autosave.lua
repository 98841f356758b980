-- Autosave under wrk: PATCH /api/v1/submissions/<id>/responses as the submission page's script sends it, each
-- draft with its owner's session cookie and CSRF token, and the revision its text is based on.
--
-- The drafts come from the Lua file named by BENCH_WRK_DATA (bench/bench_pages.py writes it before each load,
-- with each draft's current revision):
--   return {filler = "...", drafts = {{id = 1, field = "part.field", revision = 1, session = "...", csrf = "..."}, ...}}
-- Each wrk thread takes its own share of the drafts and goes round them, skipping any whose last save is still
-- unanswered: no save is based on a stale revision (a 409 would be counted as a non-2xx answer).

local threads = 0

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

local mine, revisions, counter, filler = {}, {}, 0, ""

function init(args)
  local data = dofile(os.getenv("BENCH_WRK_DATA"))
  filler = data.filler
  local count = tonumber(os.getenv("BENCH_WRK_THREADS") or "2")
  for position, draft in ipairs(data.drafts) do
    if (position - 1) % count == thread_number then
      mine[#mine + 1] = draft
      revisions[draft.id] = draft.revision
    end
  end
end

-- Drafts with a save in flight: a slow answer must not let the same draft be saved again on the revision it
-- started from (a 409). Freed by the answer; one that answers with an error stays out of the round.
local busy = {}

local function next_draft()
  for _ = 1, #mine do
    counter = counter + 1
    local draft = mine[(counter % #mine) + 1]
    if not busy[draft.id] then
      return draft
    end
  end
  counter = counter + 1
  return mine[(counter % #mine) + 1]  -- every draft busy: more connections than drafts
end

function request()
  local draft = next_draft()
  busy[draft.id] = true
  local body = string.format(
    '{"base_revision": %d, "responses": {"%s": "Save %d. %s"}, "self_evaluation": {}}',
    revisions[draft.id], draft.field, counter, filler
  )
  local headers = {
    ["Cookie"] = "sessionid=" .. draft.session .. "; csrftoken=" .. draft.csrf,
    ["X-CSRFToken"] = draft.csrf,
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Prefer"] = "return=minimal",
  }
  return wrk.format("PATCH", "/api/v1/submissions/" .. draft.id .. "/responses", headers, body)
end

function response(status, headers, body)
  if status == 200 then
    local id = tonumber(body:match('^{"id":%s*(%d+)'))
    local revision = tonumber(body:match('"revision":%s*(%d+)'))
    if id and revision then
      revisions[id] = revision
      busy[id] = nil
    end
  end
end
