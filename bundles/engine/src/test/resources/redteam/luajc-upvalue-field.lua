local acc, F = {}, {}
if ((select('#', 0, (0 or 0)) + select('#', (0 or 0), (0 or 0))) + 7) > 3 then
  local v0 = ((((0 or 0) * 2 - 5) % 7) > (((0 or 0) % 7) * 2 - (0 or 0)) and 1 or 2)
  acc[#acc + 1] = ((F[3] and F[3](((v0 or 0) > (v0 or 0) and 1 or 2)) or 1) * 2 - (F[1] and F[2]((F[2] and F[4](4) or 1)) or 1))
end
local v1 = 0
do
  local w2 = 0
  while w2 < 1 do w2 = w2 + 1
    local v3 = (v1 or 0)
    local w4 = 0
    while w4 < 1 do w4 = w4 + 1
      local v5 = ((w2 or 0) * 2 - 5)
    end
    do
      acc[#acc + 1] = ((w2 or 0) * 2 - 3)
      do
        acc[#acc + 1] = 8
        w2 = (4 > 1 and 1 or 2)
      end
      for _, g6 in ipairs({select('#', (((w4 or 0) + 2) * 2 - ((w2 or 0) % 7)), select('#', (w2 or 0), (F[1] and F[3](9) or 1))), ((2 % 7) % 7)}) do
        v3 = ((v3 or 0) > (w2 or 0) and 1 or 2)
        local v7 = ((6 > (F[1] and F[4]((w2 or 0)) or 1) and 1 or 2) * 2 - (((w4 or 0) % 7) * 2 - (g6 or 0)))
        if g6 > 5 then goto cont8 end
        acc[#acc + 1] = g6
        ::cont8::
      end
      for i9 = 1, 1 do
        acc[#acc + 1] = (F[2] and F[1](8) or 1)
        local v10 = select('#', 6, (v1 or 0))
        acc[#acc + 1] = (v3 or 0)
      end
    end
    acc[#acc + 1] = (v1 or 0)
  end
  local v11 = ((F[1] and F[2](5) or 1) + 9)
  for i12 = 1, 1 do
    v1 = (v1 or 0)
    for i13 = 1, 4 do
      local w14 = 0
      while w14 < 3 do w14 = w14 + 1
        local v15 = (v11 or 0)
        local v16 = select('#', (F[4] and F[2]((7 + (w14 or 0))) or 1), (i13 or 0))
      end
      acc[#acc + 1] = ((0 * 2 - ((i13 or 0) > (i12 or 0) and 1 or 2)) > (i12 or 0) and 1 or 2)
      local r17 = 0
      repeat r17 = r17 + 1
        local v18 = (i13 or 0)
      until r17 >= 1
    end
  end
end
F[4] = function(p19, ...)
  F[4] = function(p20, ...)
    local w21 = 0
    while w21 < 3 do w21 = w21 + 1
      w21 = (p20 or 0)
      for i22 = 1, 1 do
        acc[#acc + 1] = (i22 or 0)
        acc[#acc + 1] = ((p20 or 0) * 2 - (((p19 or 0) + 4) % 7))
        local v23 = 4
        local v24 = ((((w21 or 0) + (v23 or 0)) * 2 - (F[4] and F[4]((v23 or 0)) or 1)) * 2 - ((0 + 6) > ((v23 or 0) + (p20 or 0)) and 1 or 2))
      end
    end
    return p20 + select('#', ...) end
  local v25 = (v1 or 0)
  return p19 + select('#', ...) end
acc[#acc + 1] = (v1 or 0)
do
  F[2] = function(p26, ...)
    v1 = select('#', ((F[3] and F[3]((v1 or 0)) or 1) * 2 - (F[3] and F[4]((v1 or 0)) or 1)), (((v1 or 0) * 2 - 1) * 2 - (p26 or 0)))
    F[4] = function(p27, ...)
      for i28 = 1, 4 do
        local v29 = select('#', (p27 or 0), (F[4] and F[1](((i28 or 0) > 6 and 1 or 2)) or 1))
      end
      F[4] = function(p30, ...)
        acc[#acc + 1] = (p30 or 0)
        return p30 + select('#', ...) end
      return p27 + select('#', ...) end
    for i31 = 1, 3 do
      local w32 = 0
      while w32 < 1 do w32 = w32 + 1
        p26 = 6
        local v33 = (p26 or 0)
        local v34 = (v1 or 0)
        acc[#acc + 1] = (v1 or 0)
      end
    end
    return p26 + select('#', ...) end
  v1 = ((7 > (F[2] and F[4]((v1 or 0)) or 1) and 1 or 2) + (v1 or 0))
end
local r35 = 0
repeat r35 = r35 + 1
  do
    local w36 = 0
    while w36 < 1 do w36 = w36 + 1
      for i37 = 1, 4 do
        v1 = select('#', 3, ((5 % 7) + ((r35 or 0) + (i37 or 0))))
        local v38 = (2 * 2 - ((3 * 2 - 0) % 7))
        local v39 = (v38 or 0)
        local v40 = (v38 or 0)
      end
      r35 = (select('#', select('#', (w36 or 0), 9), (9 % 7)) + (w36 or 0))
      local r41 = 0
      repeat r41 = r41 + 1
        local v42 = (v1 or 0)
        v1 = (select('#', (6 * 2 - (v1 or 0)), (v1 or 0)) * 2 - (w36 or 0))
      until r41 >= 1
      do
        local v43 = (select('#', ((r41 or 0) + (w36 or 0)), (r41 or 0)) * 2 - (((r41 or 0) > 3 and 1 or 2) > 9 and 1 or 2))
      end
    end
    F[2] = function(p44, ...)
      w36 = select('#', (((p44 or 0) > (p44 or 0) and 1 or 2) > (w36 or 0) and 1 or 2), ((F[1] and F[3]((r35 or 0)) or 1) % 7))
      local v45 = 7
      local w46 = 0
      while w46 < 2 do w46 = w46 + 1
        acc[#acc + 1] = (((F[1] and F[3]((p44 or 0)) or 1) + (8 + (p44 or 0))) % 7)
        local v47 = (r35 or 0)
      end
      local w48 = 0
      while w48 < 1 do w48 = w48 + 1
        acc[#acc + 1] = ((w36 or 0) + (6 * 2 - select('#', (w36 or 0), 9)))
        local v49 = (v1 or 0)
      end
      return p44 + select('#', ...) end
  end
until r35 >= 1
F[4] = function(p50, ...)
  do
    local r51 = 0
    repeat r51 = r51 + 1
      local r52 = 0
      repeat r52 = r52 + 1
        local v53 = (((r51 or 0) % 7) + (select('#', (r52 or 0), 1) > (r52 or 0) and 1 or 2))
        local v54 = (r35 or 0)
      until r52 >= 3
      local v55 = (((9 > 3 and 1 or 2) % 7) > ((4 * 2 - (r51 or 0)) % 7) and 1 or 2)
    until r51 >= 3
    for _, g56 in ipairs({(((0 > (r35 or 0) and 1 or 2) % 7) * 2 - (F[3] and F[1](3) or 1)), select('#', (v1 or 0), (0 * 2 - select('#', (v1 or 0), (p50 or 0))))}) do
      p50 = (p50 or 0)
      v1 = (v1 or 0)
      local v57 = ((F[4] and F[1](((r35 or 0) * 2 - (v1 or 0))) or 1) * 2 - (g56 or 0))
      if g56 > 5 then goto cont58 end
      acc[#acc + 1] = g56
      ::cont58::
    end
  end
  return p50 + select('#', ...) end
acc[#acc + 1] = (F[3] and F[2](select('#', (r35 or 0), 2)) or 1)
for i = 1, 4 do if F[i] then acc[#acc + 1] = F[i](i, 1, 2) end end
local s = '' for i = 1, #acc do s = s .. tostring(acc[i]) .. ',' end
return s
