-- wrk script: POST /events with a JSON array (or, with CCWH_BENCH_FORMAT=ndjson, an NDJSON
-- body) of $CCWH_BENCH_BATCH events (default 1000),
-- event_ids unique per request. Token from $CCWH_BENCH_TOKEN. Used by bench_receiver.py.
local next_id = 1

local event = '{"event_id":"@P@-%d","event_type":"queue_call","schema_version":1,'
  .. '"tenant_id":"acme","occurred_at":"2026-11-22T10:00:30+01:00","data":{'
  .. '"interaction_id":"i-@P@-%d","queue_id":"q-sales","portfolio_id":"p-retail",'
  .. '"contact_id":"c-0001234","organization_id":"o-000042","entered_at":"2026-11-22T10:00:00+01:00",'
  .. '"answered_at":"2026-11-22T10:00:12+01:00","left_at":"2026-11-22T10:00:30+01:00",'
  .. '"outcome":"answered","agent_id":"a-0007","channel_note":"benchmark padding to ~600 bytes '
  .. 'like a real platform event with its optional fields filled in xxxxxxxxxxxxxxxxxxxxxxxxxx"}}'

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

function init(args)
  local n = tonumber(os.getenv("CCWH_BENCH_BATCH") or "1000")
  local parts = {}
  for i = 1, n do parts[i] = string.format(event, i, i) end
  local ndjson = os.getenv("CCWH_BENCH_FORMAT") == "ndjson"
  if ndjson then
    template = table.concat(parts, "\n") .. "\n"
  else
    template = "[" .. table.concat(parts, ",") .. "]"
  end
  prefix = string.format("b%d-%d", tid, math.random(1, 1000000000))
  headers = {
    ["Content-Type"] = ndjson and "application/x-ndjson" or "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("CCWH_BENCH_TOKEN"),
  }
  counter = 0
  -- The template cut at each "@P@": a request interleaves the pieces with its own id part
  -- and concatenates once. (template:gsub did the same in ~10 ms of wrk CPU a request,
  -- about as much as the receiver's work, on the 2 cores the receiver also runs on.)
  pieces = {}
  local start = 1
  while true do
    local i, j = template:find("@P@", start, true)
    if not i then break end
    pieces[#pieces + 1] = template:sub(start, i - 1)
    start = j + 1
  end
  last_piece = template:sub(start)
  body_parts = {}
end

function request()
  counter = counter + 1
  local id = prefix .. "-" .. counter
  local n = 0
  for k = 1, #pieces do
    body_parts[n + 1] = pieces[k]
    body_parts[n + 2] = id
    n = n + 2
  end
  body_parts[n + 1] = last_piece
  local body = table.concat(body_parts, "", 1, n + 1)
  return wrk.format("POST", "/events", headers, body)
end

function done(summary, latency, requests)
  -- No response() callback: it makes wrk hand every response to Lua, which costs the
  -- load generator (sharing the server's 2 cores) ~10 % of the throughput. wrk counts
  -- non-2xx statuses itself; every body here is valid, so 2xx means 202, and
  -- bench_receiver.py checks the landed line count against it afterwards.
  local oth = summary.errors.status
  local acc = summary.requests - oth
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"accepted":%d,"other":%d,"socket_errors":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, acc, oth,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
