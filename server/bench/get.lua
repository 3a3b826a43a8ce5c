-- GetServiceInstance of a random seeded instance (i-1 … i-N).
local n = tonumber(os.getenv("N") or "1000")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AwsProton20200720.GetServiceInstance"
request = function()
  local body = string.format('{"serviceName":"shop","name":"i-%d"}', math.random(1, n))
  return wrk.format(nil, nil, nil, body)
end
