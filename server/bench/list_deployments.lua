-- ListDeployments, a page of 100, starting at a random record of the N
-- the seed's IN_PROGRESS instances started (deployment ids 1 … N, as the
-- server numbers them): the page token of the record's id.
local n = tonumber(os.getenv("N") or "1000")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AwsProton20200720.ListDeployments"

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", string.byte(c)) end))
end

request = function()
  local id = string.format("00000000-0000-4000-8000-%012x", math.random(1, n))
  local body = string.format('{"maxResults":100,"nextToken":"%s"}', hex(id))
  return wrk.format(nil, nil, nil, body)
end
