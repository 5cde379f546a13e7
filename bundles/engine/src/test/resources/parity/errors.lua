-- case: call global
device_set_motorspeed(10)
-- case: call local
local f
f()
-- case: call field
local cfg = {}
cfg.start()
-- case: call field of global table
string.nosuch("x")
-- case: call method
local motor = {}
motor:nosuch(1)
-- case: call method of string
local s = "x"
s:nosuch()
-- case: call upvalue
local hook
local function run()
  hook()
end
run()
-- case: call number global
x = 5
x()
-- case: call string constant
local v = ("abc")()
-- case: call result of call
local function make() return nil end
make()()
-- case: for iterator
for k in nil do end
-- case: index local
local cfg
local x = cfg.speed
-- case: index global
local x = settings.speed
-- case: index field
local t = {}
t.a.b = 1
-- case: index nested field
local a = {b = {}}
a.b.c.d = 1
-- case: index upvalue
local u
local function g() return u.x end
g()
-- case: index integer key
local t = {}
t[1].x = 1
-- case: index variable key
local t = {}
local k = "a"
t[k].x = 1
-- case: index long constant key
local t = {}
t["a long key that is not a short string in lua 5.4 at all"].x = 1
-- case: index number
local n = 5
local x = n.field
-- case: index method receiver
local obj
obj:start()
-- case: set field of nil local
local cfg
cfg.speed = 3
-- case: set global field of nil
settings.speed = 3
-- case: arith local nil
local speed
local y = speed * 2
-- case: arith field
local t = {}
local x = t.a + 1
-- case: arith global
local x = 1 + missing
-- case: arith second operand
local a = 1
local b
local c = a - b
-- case: arith table
local x = -{}
-- case: arith upvalue
local u = {}
local function h() return u + 1 end
h()
-- case: arith temporary
local x = nil + 1
-- case: concat nil local
local name
local s = "hello " .. name
-- case: concat field
local t = {}
local s = "x" .. t.y
-- case: concat table
local t = {}
local s = "a" .. t .. "b"
-- case: concat global
local s = greeting .. "!"
-- case: compare
local x = 1 < "2"
-- case: compare tables
local x = {} < {}
-- case: compare nil
local a
local x = a <= 3
-- case: length nil local
local list
local n = #list
-- case: length global
local n = #items
-- case: length number
local n = #5
-- case: error string
error("boom")
-- case: error level 0
error("boom", 0)
-- case: error level 1 in function
local function check(v)
  error("bad value " .. v, 1)
end
check(3)
-- case: error level 2
local function check(v)
  error("bad value " .. v, 2)
end
local function plan()
  check(3)
end
plan()
-- case: error level 3
local function check(v)
  error("bad value " .. v, 3)
end
local function middle()
  check(3)
end
local function outer()
  middle()
end
outer()
-- case: error level 2 at main chunk
error("from main", 2)
-- case: error table
error({code = 1})
-- case: error nil
error()
-- case: error number
error(42)
-- case: assert
assert(false, "assertion text")
-- case: assert no message
assert(nil)
-- case: tail call line
local function fail() local t; return t.x end
local function go()
  return fail()
end
go()
-- case: method tail call
local obj = {}
local function go()
  return obj:missing()
end
go()
-- case: tail call of nil
local function go()
  return nothere(1)
end
go()
-- case: traceback names traceback
local function inner()
  error("deep")
end
function plan()
  inner()
end
local obj = {}
function obj:step()
  plan()
end
local function run()
  obj:step()
end
run()
-- case: traceback field and upvalue traceback
local M = {}
function M.fire()
  local t = nil
  return t.x + 1
end
local function go()
  M.fire()
  return 1
end
go()
-- case: traceback in error handler position traceback
local function a() error("x") end
local function b() a() end
local function c() b() end
c()
-- case: error level 2 under pcall
local ok, e = pcall(function() error("x", 2) end)
error(e, 0)
-- case: pcall value of error number
local ok, e = pcall(error, 42)
error(e + 1)
-- case: concat several operands
local a, b = "x", nil
local s = a .. "y" .. b .. "z"
-- case: concat last operand
local t = {}
local s = "a" .. "b" .. t
-- case: concat two tables
local t, u = {}, {}
local s = "a" .. t .. u
-- case: field of upvalue table
local M = {}
local function f() M.go() end
f()
-- case: method on nil local
local s
s:upper()
-- case: length of field
local t = {}
local n = #t.list
-- case: index through a call result
local function get() return nil end
local x = get().field
-- case: error in tail call traceback
local function go()
  return error("boom")
end
go()
-- case: xpcall handler value
local ok, e = xpcall(function() local t; return t.x end, function(m) return "handled: " .. m end)
error(e, 0)
-- case: error in coroutine
local co = coroutine.create(function() local x; return x.y end)
local ok, e = coroutine.resume(co)
error(e, 0)
-- case: arith on boolean field
local cfg = {on = true}
local x = cfg.on + 1
-- case: call boolean local
local b = true
b()
-- case: unary minus on nil local
local v
local x = -v
-- case: probe 0
string.rep()
-- case: probe 1
string.rep("x")
-- case: probe 2
string.sub()
-- case: probe 3
string.format("%d", "x")
-- case: probe 4
string.format("%d", 1.5)
-- case: probe 5
math.floor("a")
-- case: probe 6
math.max()
-- case: probe 7
table.insert(nil, 1)
-- case: probe 8
table.concat({{}})
-- case: probe 9
tostring()
-- case: probe 10
setmetatable(1, {})
-- case: probe 11
ipairs()
-- case: probe 12
select(0)
-- case: probe 13
string.char(256)
-- case: probe 14
string.byte("a", {})
-- case: probe 15
string.upper()
-- case: probe 16
tonumber("10", 99)
-- case: probe 17
local s = "x"
local i = s:find({})
-- case: probe 18
string.gsub("x", "x")
-- case: probe 19
rawset(1)
-- case: probe 20
rawlen(5)
-- case: probe 21
math.abs()
-- case: probe 22
string.rep("x", 1.5)
-- case: probe 23
table.remove({}, 5)
-- case: probe 24
math.fmod(1, 0)
-- case: probe 25
string.format("%q", {})
-- case: probe 26
select("x")
-- case: probe 27
table.sort({3,1,2}, 1)
-- case: probe 28
string.char("a")
-- case: probe 29
math.random(2, 1)
-- case: probe 30
os.date(1, "x")
-- case: probe 31
local t = type()
-- case: probe 32
table.insert({}, 1, 2, 3)
-- case: probe 33
getmetatable()
-- case: probe 34
string.len(nil)
-- case: probe 35
coroutine.resume(1)
-- case: probe 36
coroutine.wrap(1)
-- case: probe 37
math.floor({})
-- case: probe 38
string.find("x", "(")
-- case: probe 39
local s = ("x"):rep("y")
-- case: probe 40
string.format("%5", 1)
-- case: probe 41
table.concat({1, 2}, {})
-- case: probe 42
math.tointeger()
-- case: probe 43
math.min(1, "x")
-- case: probe 44
string.format()
-- case: probe 45
tostring(setmetatable({}, {__tostring = function() return 1 end}))
-- case: probe 46
string.byte()
-- case: probe 47
assert(false)
-- case: probe 48
assert(nil, "custom")
-- case: probe 49
error()
-- case: probe 50
pcall()
-- case: probe 51
select(2.5, 1)
-- case: probe 52
table.unpack({}, 1, 1e8)
-- case: probe 53
string.rep("x", -1, {})
-- case: probe 54
os.time({year = 2020})
-- case: probe 55
setmetatable({}, 1)
-- case: probe 56
math.ult(1.5, 2)
-- case: probe 57
string.pack and string.pack("i", "x")
-- case: probe 58
next({}, 1)
-- case: probe 59
table.move({}, 1, 2)
-- case: probe 60
string.format("%c", "x")
-- case: probe 61
utf8 and utf8.char(-1)
-- case: probe 62
math.sqrt()
-- case: probe 63
load(1)
-- case: probe 64
xpcall()
-- case: probe 65
string.reverse({})
-- case: probe 66
string.lower(nil)
-- case: probe 67
table.concat(nil)
-- case: probe 68
rawget({})
-- case: probe 69
rawequal(1)
-- case: probe 70
select(-5, 1)
