-- CancelServiceInstanceDeployment of each seeded instance in turn from
-- START + 1, once each (every one is IN_PROGRESS, so every cancel is
-- accepted and written) until the N are used up.
local n = tonumber(os.getenv("N") or "1000")
-- START: where this run begins, so repeated runs cancel fresh ones.
local i = tonumber(os.getenv("START") or "0")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AwsProton20200720.CancelServiceInstanceDeployment"
request = function()
  i = i + 1
  local body = string.format('{"serviceName":"shop","serviceInstanceName":"i-%d"}', i)
  return wrk.format(nil, nil, nil, body)
end
