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
-- Library functions refusing an argument (Lua 5.4's luaL_argerror wording: number, function, 'no value')
-- case: bad argument string.rep()
string.rep()
-- case: bad argument string.rep("x")
string.rep("x")
-- case: bad argument string.sub()
string.sub()
-- case: bad argument string.format("%d", "x")
string.format("%d", "x")
-- case: bad argument math.floor("a")
math.floor("a")
-- case: bad argument math.max()
math.max()
-- case: bad argument table.insert(nil, 1)
table.insert(nil, 1)
-- case: bad argument table.concat({{}})
table.concat({{}})
-- case: bad argument tostring()
tostring()
-- case: bad argument setmetatable(1, {})
setmetatable(1, {})
-- case: bad argument ipairs()
ipairs()
-- case: bad argument select(0)
select(0)
-- case: bad argument string.char(256)
string.char(256)
-- case: bad argument string.byte("a", {})
string.byte("a", {})
-- case: bad argument string.upper()
string.upper()
-- case: bad argument tonumber("10", 99)
tonumber("10", 99)
-- case: bad argument local s = "x" local i = s:find({})
local s = "x"
local i = s:find({})
-- case: bad argument string.gsub("x", "x")
string.gsub("x", "x")
-- case: bad argument rawset(1)
rawset(1)
-- case: bad argument rawlen(5)
rawlen(5)
-- case: bad argument math.abs()
math.abs()
-- case: bad argument table.remove({}, 5)
table.remove({}, 5)
-- case: bad argument math.fmod(1, 0)
math.fmod(1, 0)
-- case: bad argument string.format("%q", {})
string.format("%q", {})
-- case: bad argument select("x")
select("x")
-- case: bad argument table.sort({3,1,2}, 1)
table.sort({3,1,2}, 1)
-- case: bad argument string.char("a")
string.char("a")
-- case: bad argument math.random(2, 1)
math.random(2, 1)
-- case: bad argument os.date(1, "x")
os.date(1, "x")
-- case: bad argument local t = type()
local t = type()
-- case: bad argument table.insert({}, 1, 2, 3)
table.insert({}, 1, 2, 3)
-- case: bad argument getmetatable()
getmetatable()
-- case: bad argument string.len(nil)
string.len(nil)
-- case: bad argument coroutine.resume(1)
coroutine.resume(1)
-- case: bad argument coroutine.wrap(1)
coroutine.wrap(1)
-- case: bad argument math.floor({})
math.floor({})
-- case: bad argument string.find("x", "(")
string.find("x", "(")
-- case: bad argument local s = ("x"):rep("y")
local s = ("x"):rep("y")
-- case: bad argument table.concat({1, 2}, {})
table.concat({1, 2}, {})
-- case: bad argument string.format()
string.format()
-- case: bad argument string.byte()
string.byte()
-- case: bad argument assert(false)
assert(false)
-- case: bad argument assert(nil, "custom")
assert(nil, "custom")
-- case: bad argument error()
error()
-- case: bad argument pcall()
pcall()
-- case: bad argument string.rep("x", -1, {})
string.rep("x", -1, {})
-- case: bad argument os.time({year = 2020})
os.time({year = 2020})
-- case: bad argument setmetatable({}, 1)
setmetatable({}, 1)
-- case: bad argument string.format("%c", "x")
string.format("%c", "x")
-- case: bad argument math.sqrt()
math.sqrt()
-- case: bad argument xpcall()
xpcall()
-- case: bad argument string.reverse({})
string.reverse({})
-- case: bad argument string.lower(nil)
string.lower(nil)
-- case: bad argument table.concat(nil)
table.concat(nil)
-- case: bad argument rawget({})
rawget({})
-- case: bad argument rawequal(1)
rawequal(1)
-- case: bad argument select(-5, 1)
select(-5, 1)
-- case: bad argument method self
local s = "x"
local r = s:rep({})
-- case: bad argument method bad self
local t = {rep = string.rep}
t:rep(2)
-- case: bad argument local alias
local f = string.rep
f()
-- case: bad argument in pcall without call site
local ok, e = pcall(string.rep)
error(e, 0)
-- case: bad argument in a sort comparator
table.sort({3, 1, 2}, function(a, b) return math.floor({}) end)
-- case: bad argument format missing value
local s = string.format("%d %s", 1)
-- case: bad argument random empty
math.random(3, 1)
-- case: bad argument date field missing
os.time({year = 2020})
-- case: bad argument tail call
local function f() return string.rep() end
f()
-- case: bad argument error with level stays as written
error("bad argument #1 to 'x' (y)")
-- case: load with no argument
load()
-- case: load with no argument in pcall
local ok, e = pcall(load)
error(e, 0)
-- case: load of a table
local x = load({})
-- case: load of nil
load(nil, 'name')
-- case: load with a bad mode
load('x = 1', 'n', {})
-- case: load with a bad chunk name before a bad chunk
load(true, {})
-- case: load with a bad mode before a bad chunk name
load(function() end, {}, {})
-- case: load whose reader fails returns the error
local f, e = load(function() error('boom') end)
error(tostring(f) .. ' | ' .. e, 0)
-- case: load whose reader returns no string returns the error
local ok, f, e = pcall(load, function() return {} end)
error(tostring(ok) .. ' | ' .. tostring(f) .. ' | ' .. e, 0)
