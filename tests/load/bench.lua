-- wrk script for `make bench` (tests/load/bench.py): one report line per run, and the shop's forms.
--   wrk ... -s bench.lua URL -- get                      GET the URL; 200 expected
--   wrk ... -s bench.lua URL -- cart FILE THREADS        POST /cart/add then GET /cart; 303 and 200 expected
--   wrk ... -s bench.lua URL -- checkout FILE THREADS    POST /checkout; 303 to the dummy payment page expected
-- FILE has one primed visitor a line: session cookie, cart-add form body, checkout form body (tab-separated).
-- Each wrk thread takes its own share of the visitors, so no two threads ever post for the same cart.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local mode = "get"
local visitors = {}
local counter = 0
local page_headers = {}

function init(args)
  mode = args[1] or "get"
  unexpected = 0
  page_headers = {["Accept-Encoding"] = "gzip, deflate, br, zstd", ["Accept-Language"] = "ru"}
  if mode == "get" then
    return
  end
  local share = tonumber(args[3])
  local index = 0
  for line in io.lines(args[2]) do
    local cookie, cart_body, checkout_body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if index % share == id then
      table.insert(visitors, {cookie = cookie, cart = cart_body, checkout = checkout_body})
    end
    index = index + 1
  end
end

local function with(cookie, form)
  local headers = {Cookie = cookie}
  for name, value in pairs(page_headers) do headers[name] = value end
  if form then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Sec-Fetch-Site"] = "same-origin"  -- as a browser posting from the shop's own page sends it
  end
  return headers
end

function request()
  if mode == "get" then
    return wrk.format("GET", nil, page_headers)
  end
  counter = counter + 1
  if mode == "cart" then
    local visitor = visitors[math.floor((counter - 1) / 2) % #visitors + 1]
    if counter % 2 == 1 then
      return wrk.format("POST", "/cart/add", with(visitor.cookie, true), visitor.cart)
    end
    return wrk.format("GET", "/cart", with(visitor.cookie, false))
  end
  local visitor = visitors[(counter - 1) % #visitors + 1]
  return wrk.format("POST", "/checkout", with(visitor.cookie, true), visitor.checkout)
end

function response(status, headers, body)
  local ok
  if mode == "checkout" then
    ok = status == 303 and (headers["Location"] or ""):find("/pay/test/", 1, true) ~= nil
  elseif mode == "cart" then
    ok = status == 303 or status == 200
  else
    ok = status == 200
  end
  if not ok then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local unexpected_total = 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "socket_errors": %d, ' ..
    '"status_errors": %d, "unexpected": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, unexpected_total))
end
