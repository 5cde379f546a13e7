-- numeric loops: Mandelbrot set membership on a grid
local w, h, iter = 160, 120, 50
local inside = 0
for y = 0, h - 1 do
  local ci = 2.0 * y / h - 1.0
  for x = 0, w - 1 do
    local cr = 2.5 * x / w - 2.0
    local zr, zi, i = 0.0, 0.0, 0
    while i < iter and zr * zr + zi * zi < 4.0 do
      zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
      i = i + 1
    end
    if i == iter then inside = inside + 1 end
  end
end
return inside
