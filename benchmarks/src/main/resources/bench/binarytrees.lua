-- allocation-heavy: binary trees
local function bottomUp(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return {bottomUp(depth), bottomUp(depth)}
end
local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end
local maxDepth = 12
local total = check(bottomUp(maxDepth + 1))
local long = bottomUp(maxDepth)
for depth = 4, maxDepth, 2 do
  local iters = 2 ^ (maxDepth - depth + 4)
  for i = 1, iters do total = total + check(bottomUp(depth)) end
end
return total + check(long)
