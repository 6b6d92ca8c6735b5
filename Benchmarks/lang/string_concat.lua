-- Concatenate 100,000 short strings onto one growing string.
-- Lua strings are immutable, so each `..` copies the whole string (quadratic, as in CPython at
-- the top level); idiomatic Lua would collect the pieces and call table.concat once.
local s = ""
for i = 1, 100000 do
  s = s .. "pav"
end
print(#s)
