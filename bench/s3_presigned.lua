-- wrk script: PUT or GET objects through a pool of pre-signed S3 URLs (made by s3_bench.py),
-- ending the run once COUNT responses have arrived.
-- usage: wrk -t T -c C -d 60s --latency -s s3_presigned.lua http://127.0.0.1:PORT/ -- POOL COUNT T
-- Pool lines: METHOD <tab> PATH?QUERY. PUT requests carry BODY_BYTES bytes of 'x'.
local ffi = require("ffi")
ffi.cdef [[ int kill(int pid, int sig); int getpid(void); ]]

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local pool, total = args[1], tonumber(args[2] or "2000")
  local nthreads = tonumber(args[3] or "1")
  local body_bytes = tonumber(args[4] or "1024")
  local body = string.rep("x", body_bytes)
  quota = math.floor(total / nthreads)
  reqs, idx, got = {}, 0, 0
  local i = 0
  for line in io.lines(pool) do
    if (i % nthreads) == tid then
      local method, path = line:match("^([^\t]*)\t(.*)$")
      if method == "PUT" then
        reqs[#reqs + 1] = wrk.format("PUT", path, {["Content-Type"] = "binary/octet-stream"}, body)
      else
        reqs[#reqs + 1] = wrk.format("GET", path)
      end
    end
    i = i + 1
  end
end

function request()
  idx = idx + 1
  if idx > #reqs then idx = 1 end
  return reqs[idx]
end

status_counts = {}
function response(status, headers, body)
  got = got + 1
  status_counts[status] = (status_counts[status] or 0) + 1
  if got == quota then ffi.C.kill(ffi.C.getpid(), 2) end
end

function done(summary, latency, requests)
  local codes = {}
  for _, t in ipairs(threads) do
    local sc = t:get("status_counts")
    for k, v in pairs(sc) do codes[k] = (codes[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(codes) do parts[#parts + 1] = string.format('"%d":%d', k, v) end
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"status":{%s}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, table.concat(parts, ",")))
end
