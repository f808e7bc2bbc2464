-- wrk script for bench/scale.py: each request is one line, picked at random, of the file
-- named by BENCH_TARGETS ("METHOD<TAB>PATH<TAB>BODY"), so the clients search for different
-- names and save sessions for different patients. At the end it prints the percentiles
-- wrk's own report leaves out (p95) in microseconds, on one line scale.py reads.
local targets = {}
local threads = {}
local unexpected = 0

local function load_targets()
  local file = assert(io.open(os.getenv("BENCH_TARGETS"), "r"))
  for line in file:lines() do
    local method, path, body = line:match("^([^\t]+)\t([^\t]+)\t?(.*)$")
    targets[#targets + 1] = {method, path, body ~= "" and body or nil}
  end
  file:close()
end

setup = function(thread)
  threads[#threads + 1] = thread
end

init = function(args)
  load_targets()
  math.randomseed(os.time() + tonumber(tostring(targets):match("0x(%x+)"), 16) % 100000)
end

request = function()
  local target = targets[math.random(#targets)]
  -- wrk.format uses the table it is given instead of wrk.headers (the -H cookie): copy them.
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  if target[3] then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(target[1], target[2], headers, target[3])
end

-- A page must answer 200 and a save redirect to the saved session: a redirect to the login
-- page (or back to the form) is an error even though wrk counts any 3xx as a success.
response = function(status, headers, body)
  local location = headers["Location"] or ""
  if not (status == 200 or (status == 302 and location:match("/sessions/%d+$"))) then
    unexpected = unexpected + 1
    wrk.thread:set("unexpected", unexpected)
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + (thread:get("unexpected") or 0)
  end
  io.write(string.format(
    "BENCH requests=%d p50_us=%d p95_us=%d p99_us=%d status_errors=%d socket_errors=%d\n",
    summary.requests, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    wrong, errors.connect + errors.read + errors.write + errors.timeout))
end
