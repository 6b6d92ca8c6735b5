-- A map loop (after Wren's map_numeric): insert the keys 1..1,000,000 into a map, then sum the
-- values by looking each key up. Pavlov's records have string keys, so the keys are
-- tostring(i) in all three languages: the work includes making each key string, twice.
-- (Wren's version then removes every key; that step is left out, see the README.)
local n = 1000000
local m = {}
for i = 1, n do
  m[tostring(i)] = i
end
local total = 0
for i = 1, n do
  total = total + m[tostring(i)]
end
print(total)
