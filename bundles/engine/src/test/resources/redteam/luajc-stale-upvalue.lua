-- Found by DifferentialFuzzTest (seeds 20261184, 20261378), reduced by hand. LuaJC (upstream Luaj 3.0.1
-- ProtoInfo) gives a closure a stale copy of a local that is captured and assigned inside a loop: the
-- assignment goes to a new cell instead of the one the closure holds. Interpreted (Lua semantics: the
-- closure sees the one shared variable): 2, 12, 5. Compiled: 1, 2, 1.
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

local h
for i = 1, 1 do
  h = function() return i end
  i = 5
end
return x, g(), h()
