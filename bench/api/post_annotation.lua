-- wrk: POST /api/tasks/{id}/annotations over a range of tasks (spreads the per-task recount).
-- Environment: BENCH_TOKEN, BENCH_FIRST_TASK, BENCH_LAST_TASK.
local token = os.getenv("BENCH_TOKEN")
local first = tonumber(os.getenv("BENCH_FIRST_TASK"))
local last = tonumber(os.getenv("BENCH_LAST_TASK"))
local body = '{"result":[{"id":"b1","from_name":"label","to_name":"image","type":"rectanglelabels",' ..
  '"original_width":1920,"original_height":1080,"image_rotation":0,"value":{"x":12.5,"y":30.1,' ..
  '"width":20.0,"height":15.5,"rotation":0,"rectanglelabels":["Bird"]}}],"lead_time":4.2}'
local headers = { ["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json" }
local n = 0
request = function()
  n = n + 1
  local task = first + (n * 7919) % (last - first + 1)
  return wrk.format("POST", "/api/tasks/" .. task .. "/annotations", headers, body)
end
-- Counts answers other than 201 so that a run with refused writes is visible.
local bad = 0
response = function(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-201 answers seen by one thread: %d\n", bad))
end
