-- wrk script for scripts/serve-bench.sh: GET /v1/recommend for a random known user (top-10, seen
-- items excluded), and with FEEDBACK_EVERY=k one POST /v1/feedback in every k requests.
local users = tonumber(os.getenv("USERS") or "100000")
local items = tonumber(os.getenv("ITEMS") or "20000")
local every = tonumber(os.getenv("FEEDBACK_EVERY") or "0")
local count = 0

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed or os.time())
end

request = function()
  count = count + 1
  if every > 0 and count % every == 0 then
    local body = string.format('{"user": "%d", "item": "%d", "value": 1}', math.random(0, users - 1), math.random(0, items - 1))
    return wrk.format("POST", "/v1/feedback", {["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", string.format("/v1/recommend?user=%d&n=10&exclude_seen=true", math.random(0, users - 1)))
end
