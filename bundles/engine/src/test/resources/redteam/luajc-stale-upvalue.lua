-- Found by DifferentialFuzzTest (seed 20261184), reduced by hand. LuaJC (upstream Luaj 3.0.1 ProtoInfo)
-- gives a closure a stale copy of an upvalue: a local declared before a loop, assigned inside the loop
-- before a closure captures it, and assigned again afterwards (next iteration, or after the loop). The
-- interpreter returns 2, 12 (Lua semantics: the closure sees the one shared variable); compiled: 1, 2.
local r = 0
local f
local x = 0
repeat r = r + 1
  if f then x = f() end
  f = function() return r end
until r >= 2

local s = 0
local g
for i = 1, 2 do
  s = i
  g = function() return s end
end
s = s + 10
return x, g()
