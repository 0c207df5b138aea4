-- A visitors' read mix over the long tail, for wrk: what many people browsing a large board
-- open, spread so that a cache helps only as much as it would help them.
--   40% an idea among all of them, 30% a list page among the first 1,000 (ideas in each sort,
--   help wanted), 15% a help request, 15% a profile.
-- Arguments (after --): the highest idea id, help request id and person id, and how many list
-- pages to choose from. Generated people are neighbour1 ... neighbourN (board/generate.py).
local ideas, help_requests, people, list_pages
local lists = {"/ideas?page=", "/ideas?sort=popular&page=", "/ideas?sort=active&page=",
               "/ideas?sort=trending&page=", "/help?page="}
local threads, counter = {}, 0

function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
  table.insert(threads, thread)
end

function init(args)
  ideas, help_requests, people = tonumber(args[1]), tonumber(args[2]), tonumber(args[3])
  list_pages = tonumber(args[4] or 1000)
  -- Each thread its own sequence: threads start within the same second.
  math.randomseed(os.time() * 1000 + number)
end

function request()
  local roll = math.random(100)
  local path
  if roll <= 40 then
    path = "/ideas/" .. math.random(ideas)
  elseif roll <= 70 then
    path = lists[math.random(#lists)] .. math.random(list_pages)
  elseif roll <= 85 then
    path = "/help/" .. math.random(help_requests)
  else
    path = "/users/neighbour" .. math.random(people)
  end
  return wrk.format("GET", path)
end
