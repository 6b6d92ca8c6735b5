-- Method calls on objects (Wren's method_call): a Toggle flips a bool on each activate(), an
-- NthToggle subclass flips it only every nth time through the parent's activate(); each call
-- is chained with value(), 10 per loop turn. Classes are metatables with __index (the usual
-- Lua idiom); NthToggle's metatable falls back to Toggle's methods.
local Toggle = {}
Toggle.__index = Toggle

function Toggle.new(start_state)
  return setmetatable({state = start_state}, Toggle)
end

function Toggle:value()
  return self.state
end

function Toggle:activate()
  self.state = not self.state
  return self
end

local NthToggle = setmetatable({}, {__index = Toggle})
NthToggle.__index = NthToggle

function NthToggle.new(start_state, max_counter)
  local o = Toggle.new(start_state)
  o.count_max = max_counter
  o.counter = 0
  return setmetatable(o, NthToggle)
end

function NthToggle:activate()
  self.counter = self.counter + 1
  if self.counter >= self.count_max then
    Toggle.activate(self)
    self.counter = 0
  end
  return self
end

local n = 250000
local val = true
local toggle = Toggle.new(val)
for i = 1, n do
  val = toggle:activate():value()
  val = toggle:activate():value()
  val = toggle:activate():value()
  val = toggle:activate():value()
  val = toggle:activate():value()
  val = toggle:activate():value()
  val = toggle:activate():value()
  val = toggle:activate():value()
  val = toggle:activate():value()
  val = toggle:activate():value()
end
print(toggle:value())

val = true
local ntoggle = NthToggle.new(val, 3)
for i = 1, n do
  val = ntoggle:activate():value()
  val = ntoggle:activate():value()
  val = ntoggle:activate():value()
  val = ntoggle:activate():value()
  val = ntoggle:activate():value()
  val = ntoggle:activate():value()
  val = ntoggle:activate():value()
  val = ntoggle:activate():value()
  val = ntoggle:activate():value()
  val = ntoggle:activate():value()
end
print(ntoggle:value())
