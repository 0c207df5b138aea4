-- A mixed load for wrk: a signed-in person reading pages, supporting ideas and commenting.
-- Arguments (after --): the session's CSRF token, and the highest idea id.
local token, ideas
local pages = {"/", "/ideas", "/ideas?sort=popular", "/help", "/dashboard"}

function init(args)
  token = args[1]
  ideas = tonumber(args[2])
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

local function form_headers()
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return headers
end

function request()
  local roll = math.random(100)
  local idea = math.random(ideas)
  if roll <= 10 then
    return wrk.format("POST", "/ideas/" .. idea .. "/support", form_headers(), "csrf_token=" .. token)
  elseif roll <= 15 then
    return wrk.format("POST", "/ideas/" .. idea .. "/comments", form_headers(),
      "csrf_token=" .. token .. "&comment=Count+me+in%2C+I+can+help+on+Saturdays.")
  elseif roll <= 45 then
    return wrk.format("GET", "/ideas/" .. idea)
  else
    return wrk.format("GET", pages[math.random(#pages)])
  end
end
