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
