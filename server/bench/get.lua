-- GetServiceInstance of a random seeded instance (PREFIX-1 … PREFIX-N;
-- PREFIX is i unless set).
local n = tonumber(os.getenv("N") or "1000")
local prefix = os.getenv("PREFIX") or "i"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AwsProton20200720.GetServiceInstance"
request = function()
  local body = string.format('{"serviceName":"shop","name":"%s-%d"}', prefix, math.random(1, n))
  return wrk.format(nil, nil, nil, body)
end
