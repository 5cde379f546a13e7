-- string building: concatenation, format, table.concat, gsub
local total = 0
for round = 1, 300 do
  local parts = {}
  for i = 1, 200 do
    parts[#parts + 1] = string.format("%d:%s", i, "item" .. i)
  end
  local s = table.concat(parts, ",")
  local line = ""
  for i = 1, 50 do line = line .. "ab" end
  s = s:gsub("item", "it")
  total = total + #s + #line
end
return total
