-- ListServiceInstances, a page of 100, starting at a random seeded
-- instance (PREFIX-1 … PREFIX-N; PREFIX is i unless set): the page
-- token of the instance's key, as the server writes it.
local n = tonumber(os.getenv("N") or "1000")
local prefix = os.getenv("PREFIX") or "i"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AwsProton20200720.ListServiceInstances"

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", string.byte(c)) end))
end

request = function()
  local key = string.format("service-instance/shop/%s-%d", prefix, math.random(1, n))
  local body = string.format('{"maxResults":100,"nextToken":"%s"}', hex(key))
  return wrk.format(nil, nil, nil, body)
end
