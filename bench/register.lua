-- wrk script: a signed-in member registers for a different activity on each request.
-- bench/run.py passes, in the environment: BENCH_SLUGS (a file, one activity slug a line),
-- BENCH_COOKIE (the session cookie), BENCH_CSRF (the form's CSRF token), BENCH_ORIGIN
-- (scheme://host:port) and BENCH_THREADS (wrk's -t). Thread k takes slugs k, k+T, k+2T...
dofile(os.getenv("BENCH_REPORT_LUA"))

local made = 0

function setup(thread)
  thread:set("index", made)
  made = made + 1
end

function init(args)
  slugs = {}
  for line in io.lines(os.getenv("BENCH_SLUGS")) do
    if #line > 0 then slugs[#slugs + 1] = line end
  end
  step = tonumber(os.getenv("BENCH_THREADS"))
  n = index or 0
  origin = os.getenv("BENCH_ORIGIN")
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = os.getenv("BENCH_COOKIE"),
    ["Origin"] = origin,
  }
  body = "csrf_token=" .. os.getenv("BENCH_CSRF") .. "&submit=Inschrijven"
end

function request()
  local slug = slugs[(n % #slugs) + 1]
  n = n + step
  headers["Referer"] = origin .. "/activiteiten/" .. slug
  return wrk.format("POST", "/activiteiten/" .. slug .. "/inschrijven", headers, body)
end
