# Build a list of 1,000,000 ints one append at a time, then sum it.
xs = []
for i in range(1000000):
    xs.append(i)
print(sum(xs))
