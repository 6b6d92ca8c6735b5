-- Sum of i*i for i below 10,000,000: a tight loop of int arithmetic.
-- The sum (about 3.3e20) is past the int range (2^63), so it is accumulated in a float,
-- as in the other languages: each i*i is an exact int, converted and added the same way.
-- Printed with 17 significant digits (Lua's default %.14g would round it).
local total = 0.0
for i = 0, 10000000 - 1 do
  total = total + i * i
end
print(string.format("%.17g", total))
