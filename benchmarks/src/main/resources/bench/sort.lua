-- sorting: table.sort with and without a comparator, plus a Lua quicksort
local seed = 42
local function rnd() seed = (seed * 1103515245 + 12345) % 2147483648 return seed end
local function qsort(a, lo, hi)
  if lo < hi then
    local p, i = a[hi], lo - 1
    for j = lo, hi - 1 do
      if a[j] <= p then i = i + 1 a[i], a[j] = a[j], a[i] end
    end
    a[i + 1], a[hi] = a[hi], a[i + 1]
    qsort(a, lo, i) qsort(a, i + 2, hi)
  end
end
local checksum = 0
for round = 1, 5 do
  local a, b, c = {}, {}, {}
  for i = 1, 20000 do local v = rnd() a[i] = v b[i] = v c[i] = v end
  table.sort(a)
  table.sort(b, function(x, y) return x > y end)
  qsort(c, 1, #c)
  checksum = checksum + a[1] % 1000 + b[1] % 1000 + c[#c] % 1000
end
return checksum
