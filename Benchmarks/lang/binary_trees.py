# Binary trees (Wren's binary_trees, from the Benchmarks Game): build many complete trees of
# depths 4, 6, .. 12 and walk each to a checksum, plus one tree of depth 14 and one of depth 13
# kept alive throughout: allocation, recursion and freeing. A node is a tuple (item, left, right).
def make_tree(item, depth):
    if depth == 0:
        return (item, None, None)
    item2 = item + item
    depth -= 1
    return (item, make_tree(item2 - 1, depth), make_tree(item2, depth))


def check_tree(node):
    item, left, right = node
    if left is None:
        return item
    return item + check_tree(left) - check_tree(right)


min_depth = 4
max_depth = 13
stretch_depth = max_depth + 1
print(f"stretch tree of depth {stretch_depth} check: {check_tree(make_tree(0, stretch_depth))}")

long_lived_tree = make_tree(0, max_depth)
iterations = 2 ** max_depth
depth = min_depth
while depth < stretch_depth:
    check = 0
    for i in range(1, iterations + 1):
        check += check_tree(make_tree(i, depth)) + check_tree(make_tree(-i, depth))
    print(f"{iterations * 2} trees of depth {depth} check: {check}")
    iterations //= 4
    depth += 2
print(f"long lived tree of depth {max_depth} check: {check_tree(long_lived_tree)}")
