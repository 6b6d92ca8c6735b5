# A map loop (after Wren's map_numeric): insert the keys 1..1,000,000 into a map, then sum the
# values by looking each key up. Pavlov's records have string keys, so the keys are str(i) in
# all three languages: the work includes making each key string, twice. (Wren's version then
# removes every key; that step is left out, see the README.)
n = 1000000
m = {}
for i in range(1, n + 1):
    m[str(i)] = i
total = 0
for i in range(1, n + 1):
    total += m[str(i)]
print(total)
