-- Tabular Q-learning with epsilon-greedy on a 4x4 deterministic gridworld, in plain code.
-- States 0..15 row by row; start 0, goal 15. Actions: 1 up, 2 down, 3 left, 4 right
-- (Lua's arrays start at 1; a move into a wall stays put). Reward 1 on reaching the goal,
-- else 0. An episode ends at the goal or after 100 steps. 200,000 environment steps in total.
-- Prints the number of episodes (depends on the RNG) and the length of the learned greedy
-- path from start to goal (6 if learning worked; -1 if it does not reach the goal).

local function step(s, a)
  local row = s // 4
  local col = s % 4
  if a == 1 then
    if row > 0 then row = row - 1 end
  elseif a == 2 then
    if row < 3 then row = row + 1 end
  elseif a == 3 then
    if col > 0 then col = col - 1 end
  else
    if col < 3 then col = col + 1 end
  end
  return row * 4 + col
end

-- An action with the largest value, ties broken uniformly at random (so that the
-- all-zero table of the first episodes does not pin the agent to one action).
local function greedy(values)
  local best = 1
  local ties = 1
  for a = 2, 4 do
    if values[a] > values[best] then
      best = a
      ties = 1
    elseif values[a] == values[best] then
      ties = ties + 1
      if math.random(ties) == 1 then best = a end
    end
  end
  return best
end

math.randomseed(1)
local epsilon = 0.1
local alpha = 0.5
local gamma = 0.95
local goal = 15
local max_steps = 200000
local q = {}
for s = 0, 15 do
  q[s] = {0.0, 0.0, 0.0, 0.0}
end

local steps = 0
local episodes = 0
while steps < max_steps do
  local s = 0
  local t = 0
  while t < 100 and steps < max_steps do
    local a = 1
    if math.random() < epsilon then
      a = math.random(4)
    else
      a = greedy(q[s])
    end
    local s2 = step(s, a)
    local reward = 0.0
    local target = 0.0
    if s2 == goal then
      reward = 1.0
      target = reward
    else
      target = reward + gamma * math.max(table.unpack(q[s2]))
    end
    q[s][a] = q[s][a] + alpha * (target - q[s][a])
    s = s2
    steps = steps + 1
    t = t + 1
    if s == goal then break end
  end
  episodes = episodes + 1
end

local s = 0
local path = 0
while s ~= goal and path < 100 do
  s = step(s, greedy(q[s]))
  path = path + 1
end
if s ~= goal then path = -1 end
print(episodes .. " " .. path)
