-- wrk: POST the JSON body of $BODY_FILE with the PEP key of $PEP_KEY.
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("PEP_KEY")

-- Any answer but 200 is counted, so a misconfigured run cannot pass as fast.
local refused = 0
function response(status, headers, body)
  if status ~= 200 then refused = refused + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("non-200: %d\n", refused))
end
