-- One endpoint under load for `make bench` (bench/harness.py writes the plan and reads
-- the result line).
--
-- BENCH_PLAN names a file: the first line is the method, then one request per line:
-- path, a tab, the Cookie header, a tab, the form body (empty for a GET). With
-- BENCH_THREADS threads, thread n sends lines n, n + threads, n + 2 * threads, ... in
-- turn, so two threads never send the same POST and the sessions rotate (a plan of
-- fewer lines than threads, like /healthz's one, is sent by every thread).

local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
end

local function build(method, line)
  local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
  local headers = { Cookie = cookie }
  if body == "" then
    body = nil
  else
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(method, path, headers, body)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_PLAN")))
  local method = file:read("*l")
  local threads = tonumber(os.getenv("BENCH_THREADS"))
  requests = {}
  local first = nil
  local line_number = 0
  for line in file:lines() do
    if line_number == 0 then
      first = build(method, line)
    end
    if line_number % threads == id then
      table.insert(requests, build(method, line))
    end
    line_number = line_number + 1
  end
  file:close()
  if #requests == 0 then
    -- Fewer lines than threads (a single GET): every thread sends the first.
    table.insert(requests, first)
  end
  index = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH-RESULT {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, \"connect\": %d, " ..
    "\"read\": %d, \"write\": %d, \"status\": %d, \"timeout\": %d, \"p50_us\": %d, " ..
    "\"p95_us\": %d, \"p99_us\": %d, \"max_us\": %d}\n",
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max))
end
