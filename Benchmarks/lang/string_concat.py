# Concatenate 100,000 short strings onto one growing string.
s = ""
for i in range(100000):
    s += "pav"
print(len(s))
