# A map loop (Wren's map_numeric): insert the int keys 1..1,000,000 into a map, sum the values
# by looking each key up, then remove every key, oldest first.
n = 1000000
m = {}
for i in range(1, n + 1):
    m[i] = i
total = 0
for i in range(1, n + 1):
    total += m[i]
for i in range(1, n + 1):
    del m[i]
print(total, len(m))
