-- A map loop (Wren's map_numeric): insert the int keys 1..1,000,000 into a map, sum the values
-- by looking each key up, then remove every key, oldest first. (Lua stores keys 1..n in a
-- table's array part; that is Lua's own fast path for such keys.)
local n = 1000000
local m = {}
for i = 1, n do
  m[i] = i
end
local total = 0
for i = 1, n do
  total = total + m[i]
end
for i = 1, n do
  m[i] = nil
end
print(total .. " " .. #m)
