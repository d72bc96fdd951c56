-- One wrk script for every workload of bench/run. bench/run sets the environment variables below;
-- wrk gives each of its threads its own Lua state, so every counter here is per thread and
-- done() adds them up.
--
--   BENCH_METHOD        GET, POST, PUT or PATCH
--   BENCH_PATH          request path; "{id}" is replaced by a record id from BENCH_IDS_FILE
--   BENCH_IDS_FILE      record ids (or URL-encoded e-mails for the search), one a line (rotated through)
--   BENCH_AUTH          value of the Authorization header, if any
--   BENCH_BODY          "", bigin_insert, bigin_update, flat_insert, flat_update or refresh
--   BENCH_BATCH         records per bigin_insert request (1..100)
--   BENCH_TAG           makes e-mail addresses unique across wrk runs
--   BENCH_CHECK         status (2xx), found (200 and a record with an "Email": a search hit),
--                       token (2xx and an access_token) or records (2xx and one
--                       "SUCCESS" per record sent; acknowledged ids are written to BENCH_ACK_DIR)
--   BENCH_SKIP_ID       an id to ignore when collecting acknowledged ids (the admin's user id)
--   BENCH_REFRESH_FILE  "client_id client_secret refresh_token" a line; each thread takes every
--                       n-th line
--   BENCH_MAX_USES      refreshes allowed per refresh token during this wrk run
--   BENCH_CONNECTIONS, BENCH_THREADS       as given to wrk (to spread tokens and ids)
--   BENCH_OUT           where done() writes its JSON summary

local env = os.getenv
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local timespec = ffi.new("bench_timespec")
local function now_us()
   ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
   return tonumber(timespec.tv_sec) * 1e6 + tonumber(timespec.tv_nsec) / 1e3
end

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("tid", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

local function read_lines(path)
   local lines = {}
   if path == nil or path == "" then return lines end
   local f = assert(io.open(path, "r"))
   for line in f:lines() do
      if line ~= "" then table.insert(lines, line) end
   end
   f:close()
   return lines
end

-- Per-thread state (set in init).
local method, path_template, headers, body_kind, check, batch, tag
local ids, id_count, id_cursor
local refresh_bodies, refresh_cursor, refresh_cap
local sent = 0
ok, bad, acked = 0, 0, 0
-- How long this thread ran when it stopped early (its refresh tokens were used up); -1 if it ran
-- the whole duration. wrk's own duration is the full -d even when threads stop early.
stopped_us = -1
first_error = ""
-- The most refreshes sent with any one refresh token (a self-check of the pool's sizing).
max_uses_sent = 0
local refresh_uses = {}
local started_us
local ack_file, skip_id

function init(args)
   started_us = now_us()
   method = env("BENCH_METHOD") or "GET"
   path_template = env("BENCH_PATH") or "/"
   body_kind = env("BENCH_BODY") or ""
   check = env("BENCH_CHECK") or "status"
   batch = tonumber(env("BENCH_BATCH") or "1")
   tag = env("BENCH_TAG") or "t"
   local nthreads = tonumber(env("BENCH_THREADS") or "1")
   local conns = tonumber(env("BENCH_CONNECTIONS") or "1")

   headers = {}
   local auth = env("BENCH_AUTH")
   if auth and auth ~= "" then headers["Authorization"] = auth end
   if body_kind == "refresh" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
   elseif body_kind ~= "" then
      headers["Content-Type"] = "application/json"
   end

   ids = read_lines(env("BENCH_IDS_FILE"))
   id_count = #ids
   -- Threads start at different places so that they do not walk the same ids in step.
   id_cursor = (tid * 7919) % math.max(id_count, 1)

   if body_kind == "refresh" then
      local all = read_lines(env("BENCH_REFRESH_FILE"))
      refresh_bodies = {}
      for i = 1, #all do
         if (i - 1) % nthreads == tid then
            local client_id, secret, token = all[i]:match("^(%S+) (%S+) (%S+)$")
            table.insert(refresh_bodies, "grant_type=refresh_token&client_id=" .. client_id
               .. "&client_secret=" .. secret .. "&refresh_token=" .. token)
         end
      end
      assert(#refresh_bodies > 0, "no refresh tokens for this thread")
      refresh_cursor = 0
      -- Requests are spread round-robin over this thread's tokens; the thread stops before any
      -- token could be used more than BENCH_MAX_USES times (at most one request per connection
      -- is in flight, hence the margin).
      local uses = tonumber(env("BENCH_MAX_USES") or "10")
      local conns_here = math.ceil(conns / nthreads)
      refresh_cap = #refresh_bodies * uses - conns_here
   end

   if check == "records" then
      local dir = env("BENCH_ACK_DIR")
      if dir and dir ~= "" then
         ack_file = assert(io.open(dir .. "/acked-" .. tag .. "-" .. tid .. ".txt", "w"))
      end
      skip_id = env("BENCH_SKIP_ID") or ""
   end
end

local function next_id()
   id_cursor = id_cursor + 1
   return ids[(id_cursor % id_count) + 1]
end

local function contact(n)
   return string.format('{"First_Name":"Bench","Last_Name":"Load %s-%d-%d","Email":"b%s.t%d.n%d@bench.test","Phone":"+1 555 %04d","Title":"Tester"}',
      tag, tid, n, tag, tid, n, n % 10000)
end

local function bigin_insert_body()
   local records = {}
   for j = 1, batch do
      records[j] = contact(sent * batch + j)
   end
   return '{"data":[' .. table.concat(records, ",") .. ']}'
end

function request()
   sent = sent + 1
   local path = path_template
   if id_count > 0 and path:find("{id}", 1, true) then
      -- A function as the replacement: URL-encoded e-mails carry "%", special in a string one.
      local value = next_id()
      path = path:gsub("{id}", function() return value end, 1)
   end
   local body = nil
   if body_kind == "bigin_insert" then
      body = bigin_insert_body()
   elseif body_kind == "bigin_update" then
      -- Short enough for Title's 50 characters; it need not be unique.
      body = string.format('{"data":[{"Title":"Title %d-%d"}]}', tid, sent)
   elseif body_kind == "flat_insert" then
      body = contact(sent)
   elseif body_kind == "flat_update" then
      body = string.format('{"Title":"Title %d-%d"}', tid, sent)
   elseif body_kind == "refresh" then
      refresh_cursor = refresh_cursor + 1
      local k = (refresh_cursor % #refresh_bodies) + 1
      refresh_uses[k] = (refresh_uses[k] or 0) + 1
      if refresh_uses[k] > max_uses_sent then max_uses_sent = refresh_uses[k] end
      body = refresh_bodies[k]
   end
   return wrk.format(method, path, headers, body)
end

local function failed(status, body)
   bad = bad + 1
   if first_error == "" then
      first_error = status .. " " .. (body or ""):sub(1, 300)
   end
end

function response(status, hdrs, body)
   if status < 200 or status > 299 then
      failed(status, body)
   elseif check == "found" then
      -- A search hit: 200 with at least one record (biginbox answers 204, json-server [], on a miss).
      if status == 200 and body and body:find('"Email"', 1, true) then ok = ok + 1 else failed(status, body) end
   elseif check == "token" then
      if body and body:find('"access_token"', 1, true) then ok = ok + 1 else failed(status, body) end
   elseif check == "records" then
      local successes = 0
      for _ in body:gmatch('"code":"SUCCESS"') do successes = successes + 1 end
      if successes == batch then ok = ok + 1 else failed(status, body) end
      acked = acked + successes
      if ack_file then
         -- Every id in the answer but the user ids of Created_By/Modified_By is a record's.
         for id in body:gmatch('"id":"(%d+)"') do
            if id ~= skip_id then ack_file:write(id, "\n") end
         end
         ack_file:flush()
      end
   else
      ok = ok + 1
   end
   if refresh_cap and ok + bad >= refresh_cap and stopped_us < 0 then
      stopped_us = now_us() - started_us
      wrk.thread:stop()
   end
end

local function json_string(text)
   return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
   local total_ok, total_bad, total_acked = 0, 0, 0
   local per_thread = {}
   local first = ""
   local most_uses = 0
   for _, t in ipairs(threads) do
      local t_ok, t_bad, t_acked = t:get("ok") or 0, t:get("bad") or 0, t:get("acked") or 0
      total_ok = total_ok + t_ok
      total_bad = total_bad + t_bad
      total_acked = total_acked + t_acked
      if first == "" then first = t:get("first_error") or "" end
      most_uses = math.max(most_uses, t:get("max_uses_sent") or 0)
      table.insert(per_thread, string.format('{"ok":%d,"bad":%d,"stopped_us":%d}', t_ok, t_bad, t:get("stopped_us") or -1))
   end
   local e = summary.errors
   local out = assert(io.open(env("BENCH_OUT"), "w"))
   out:write(string.format(
      '{"duration_us":%d,"requests":%d,"ok":%d,"bad":%d,"acked_records":%d,"threads":[%s],"first_error":%s,"max_uses_per_refresh_token":%d,'
      .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.duration, summary.requests, total_ok, total_bad, total_acked, table.concat(per_thread, ","),
      json_string(first), most_uses,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
   out:close()
end
