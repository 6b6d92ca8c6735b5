-- Binary trees (Wren's binary_trees, from the Benchmarks Game): build many complete trees of
-- depths 4, 6, .. 12 and walk each to a checksum, plus one tree of depth 14 and one of depth 13
-- kept alive throughout: allocation, recursion and freeing. A node is a table {item, left, right}
-- (an array of three; a leaf has only its item).
local function make_tree(item, depth)
  if depth == 0 then return {item} end
  local item2 = item + item
  depth = depth - 1
  return {item, make_tree(item2 - 1, depth), make_tree(item2, depth)}
end

local function check_tree(node)
  local left = node[2]
  if left == nil then return node[1] end
  return node[1] + check_tree(left) - check_tree(node[3])
end

local min_depth = 4
local max_depth = 13
local stretch_depth = max_depth + 1
print(string.format("stretch tree of depth %d check: %d", stretch_depth, check_tree(make_tree(0, stretch_depth))))

local long_lived_tree = make_tree(0, max_depth)
local iterations = 1 << max_depth
local depth = min_depth
while depth < stretch_depth do
  local check = 0
  for i = 1, iterations do
    check = check + check_tree(make_tree(i, depth)) + check_tree(make_tree(-i, depth))
  end
  print(string.format("%d trees of depth %d check: %d", iterations * 2, depth, check))
  iterations = iterations // 4
  depth = depth + 2
end
print(string.format("long lived tree of depth %d check: %d", max_depth, check_tree(long_lived_tree)))
