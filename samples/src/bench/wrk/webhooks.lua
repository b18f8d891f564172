-- wrk script for the listener's load bench: sends pre-signed inbound-SMS webhooks, each request a
-- different one, rotating through a file that LoadBench --mode=wrk-webhooks writes.
--
--   wrk -t1 -c64 -d30s --latency -s samples/src/bench/wrk/webhooks.lua URL -- FILE [THREADS [DEPTH]]
--
-- FILE holds the requests, each as a line with its length in bytes, then the request itself. With
-- several wrk threads, pass their number (wrk's -t) as THREADS: each thread then sends its own
-- share of the file, so that no two threads send the same MessageSid. A file of at least twice the
-- gateway's duplicate-detection bound (200,000 webhooks for the default 100,000 ids) rotates
-- without a duplicate: by the time a MessageSid comes round again the gateway has forgotten it.
-- DEPTH (default 1) pipelines that many requests per write on each connection.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   local path = args[1]
   if path == nil then
      error("pass the webhook file after --, as in: wrk ... -s webhooks.lua URL -- FILE")
   end
   -- wrk starts each thread before it sets up the next, so the count must be given.
   local shares = tonumber(args[2] or "1")
   depth = tonumber(args[3] or "1")
   local file = assert(io.open(path, "rb"))
   requests = {}
   local index = 0
   while true do
      local line = file:read("*l")
      if line == nil then
         break
      end
      local request = file:read(tonumber(line))
      if index % shares == id then
         requests[#requests + 1] = request
      end
      index = index + 1
   end
   file:close()
   if #requests == 0 then
      error("no webhooks in " .. path)
   end
   count = #requests
   nextRequest = 1
   wraps = 0
end

local function take()
   local request = requests[nextRequest]
   nextRequest = nextRequest + 1
   if nextRequest > count then
      nextRequest = 1
      wraps = wraps + 1
   end
   return request
end

function request()
   if depth == 1 then
      return take()
   end
   local batch = {}
   for i = 1, depth do
      batch[i] = take()
   end
   return table.concat(batch)
end

function done(summary, latency, requests)
   for _, thread in ipairs(threads) do
      local came_round = thread:get("wraps")
      if came_round ~= nil and came_round > 0 then
         io.write(string.format("thread %d went round its %d webhooks %d times\n",
            thread:get("id"), thread:get("count"), came_round))
      end
   end
   -- One line for LoadBench --load=wrk to read; latencies in microseconds.
   local e = summary.errors
   io.write(string.format(
      "WRK requests=%d duration_us=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d"
         .. " connect=%d read=%d write=%d status=%d timeout=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency:percentile(99.9), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
