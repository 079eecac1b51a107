-- wrk script for bench/server.mjs: every request is one POST /api/v1/attributes/values/batch of
-- 50 writes, each with a new write id, spread over 1,000 persons per thread and three attributes,
-- with clientId/seq as the SDK sends them. Set by the caller: ATTRKIT_BENCH_KEY (a key that may
-- write) in the environment.
local counter = 0
local thread_tag = ""
local key = os.getenv("ATTRKIT_BENCH_KEY")
local run = os.getenv("ATTRKIT_BENCH_RUN") or "r"
local plans = { "Free", "Starter", "Pro", "Growth", "Enterprise" }
local roles = { "admin", "member", "viewer" }

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  thread_tag = run .. "-" .. tostring(tid)
end

request = function()
  local parts = {}
  for i = 1, 50 do
    counter = counter + 1
    local person = "bench-" .. thread_tag .. "-" .. (counter % 1000)
    local attr, value
    local k = counter % 3
    if k == 0 then attr, value = "plan", '"' .. plans[(counter % 5) + 1] .. '"'
    elseif k == 1 then attr, value = "role", '"' .. roles[(counter % 3) + 1] .. '"'
    else attr, value = "team_size", tostring((counter % 9999) + 1) end
    parts[i] = string.format(
      '{"id":"w-%s-%d","distinctId":"%s","attribute":"%s","value":%s,"clientId":"c-%s","seq":%d}',
      thread_tag, counter, person, attr, value, thread_tag, counter)
  end
  local body = '{"writes":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", "/api/v1/attributes/values/batch", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json",
  }, body)
end

local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format(
    'ATTRKIT_BENCH {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
