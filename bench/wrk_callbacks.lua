-- wrk script for bench/bench_load.py: POST Dash callback bodies, one per line of a file, in order.
--
--   wrk -t1 -c50 -d120s --timeout 30s -s bench/wrk_callbacks.lua http://127.0.0.1:PORT -- BODIES N THREADS MARKER [COOKIE CSRF]
--
-- Thread i of T sends lines i, i+T, i+2T, ... (wrapping round) and stops after N/T responses, so a
-- run is bounded in requests as well as by -d. Any status outside 2xx counts as an error, and
-- done() prints one JSON line (prefix "RESULT ") with the rate, latency percentiles and errors.
--
-- wrk's own duration is always the whole -d (its main thread sleeps that long even when every
-- thread has stopped), so the rate is timed here, from the first request to the last response,
-- and a stopped thread creates the file MARKER: bench_load.py then sends SIGINT, and wrk reports.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } kpi_timespec;
int clock_gettime(int clk_id, kpi_timespec *tp);
]]
local ts = ffi.new("kpi_timespec")

local function now()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[3] or 1)  -- the setup() environment's table is not visible here
  quota = math.ceil(tonumber(args[2]) / nthreads)
  local headers = {["Content-Type"] = "application/json",
                   ["Accept-Encoding"] = "gzip, deflate, br, zstd"}  -- what Chromium sends
  if args[5] then  -- a signed-in session: its cookies and the CSRF token dash-renderer sends back
    headers["Cookie"] = args[5]
    headers["X-CSRFToken"] = args[6]
  end
  requests_ = {}
  local n = 0
  for line in io.lines(args[1]) do
    if n % nthreads == id then
      table.insert(requests_, wrk.format("POST", "/_dash-update-component", headers, line))
    end
    n = n + 1
  end
  next_ = 1
  responses, bad = 0, 0
  statuses = {}
  marker = args[4]
end

function request()
  if not started then
    started = now()
  end
  local r = requests_[next_]
  next_ = next_ % #requests_ + 1
  return r
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    bad = bad + 1
  end
  statuses[status] = (statuses[status] or 0) + 1
  finished = now()
  if responses == quota then
    if marker then
      io.open(marker .. "." .. id, "w"):close()
    end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad_total, by_status, status_text = 0, {}, {}
  local counted, first, last = 0, math.huge, 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    counted = counted + thread:get("responses")
    first = math.min(first, thread:get("started") or math.huge)
    last = math.max(last, thread:get("finished") or 0)
    for code, count in pairs(thread:get("statuses")) do
      by_status[code] = (by_status[code] or 0) + count
    end
  end
  for code, count in pairs(by_status) do
    table.insert(status_text, string.format('"%d": %d', code, count))
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"p99_ms": %.2f, "max_ms": %.2f, "non_2xx": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"bytes": %d, "statuses": {%s}}\n',
    counted, last - first, counted / (last - first),
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, bad_total, e.connect + e.read + e.write, e.timeout, summary.bytes,
    table.concat(status_text, ", ")))
end
