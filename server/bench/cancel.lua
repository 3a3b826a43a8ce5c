-- CancelServiceInstanceDeployment of each seeded instance in turn
-- (PREFIX-1, PREFIX-2, …; PREFIX is i unless set) from START + 1, once
-- each: every one is IN_PROGRESS, so every cancel is accepted and written,
-- as long as the seed holds more instances than the run sends requests
-- (load.sh refuses a line with any non-2xx answer).
local prefix = os.getenv("PREFIX") or "i"
-- START: where this run begins, so repeated runs cancel fresh ones.
local i = tonumber(os.getenv("START") or "0")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AwsProton20200720.CancelServiceInstanceDeployment"
request = function()
  i = i + 1
  local body = string.format('{"serviceName":"shop","serviceInstanceName":"%s-%d"}', prefix, i)
  return wrk.format(nil, nil, nil, body)
end
