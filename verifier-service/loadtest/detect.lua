-- wrk script: POST /v1/detect with realistic texts (one JSON body per line of bodies.jsonl),
-- round robin over the bodies; counts non-200 answers so the report can say "0 errors".
local bodies = {}
local token = os.getenv("HALLMARK_TOKEN")
local file = os.getenv("HALLMARK_BODIES") or "bodies.jsonl"

function init(args)
  for line in io.lines(file) do
    bodies[#bodies + 1] = line
  end
  counter = 0
  non200 = 0
end

function request()
  counter = counter + 1
  local b = bodies[(counter % #bodies) + 1]
  return wrk.format("POST", "/v1/detect",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, b)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("errors_connect %d read %d write %d status %d timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
  io.write(string.format("throughput_rps %.1f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in pairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("latency_p%g_ms %.2f\n", p, latency:percentile(p) / 1000))
  end
end
