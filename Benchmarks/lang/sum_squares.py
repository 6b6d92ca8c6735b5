# Sum of i*i for i below 10,000,000: a tight loop of int arithmetic.
# The sum (about 3.3e20) is past the int range (2^63), so it is accumulated in a float,
# in both languages: each i*i is an exact int, converted and added the same way.
total = 0.0
for i in range(10000000):
    total += i * i
print(total)
