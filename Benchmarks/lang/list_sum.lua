-- Build a list of 1,000,000 ints one append at a time, then sum it.
-- Lua has no sum builtin: the sum is a loop over the array.
local xs = {}
for i = 0, 1000000 - 1 do
  xs[#xs + 1] = i
end
local total = 0
for i = 1, #xs do
  total = total + xs[i]
end
print(total)
