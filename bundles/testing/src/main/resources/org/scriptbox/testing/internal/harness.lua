-- The script-test harness: loads a script and its test file into this execution and lists the cases or runs one.
-- It runs in the script's own sandbox and limits, like the test code (untrusted code too); the devices here are
-- the mocks of the testing bundle, the only host functions of this execution.
local mode, index, wanted, script_file, script_source, test_file, test_source = ...
local assert, error, pcall, type, tostring, load, pairs, ipairs, select = assert, error, pcall, type, tostring, load, pairs, ipairs, select
local format, find, abs, floor, sort, concat = string.format, string.find, math.abs, math.floor, table.sort, table.concat
local test_clock, real_time, real_date = test_clock, os.time, os.date

-- the virtual clock: sleep moves it; os.time, os.date and os.clock read it (start: 2026-01-01 00:00:00 UTC)
local EPOCH = 1767225600
os.time = function(t)
  if t == nil then return EPOCH + floor(test_clock()) end
  return real_time(t)
end
os.date = function(fmt, t)
  if t == nil then t = EPOCH + floor(test_clock()) end
  return real_date(fmt, t)
end
os.clock = function() return test_clock() end

local function show(v, depth)
  if type(v) == "string" then
    return format("%q", #v > 60 and v:sub(1, 60) .. "..." or v)
  elseif type(v) ~= "table" then
    return tostring(v)
  elseif (depth or 0) > 2 then
    return "{...}"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
    return type(a) < type(b)
  end)
  local parts = {}
  for i, k in ipairs(keys) do
    if i > 10 then parts[#parts + 1] = "..." break end
    local key = (type(k) == "number" and k == i) and "" or (type(k) == "string" and k:match("^[%a_][%w_]*$") and k .. " = "
        or "[" .. show(k, 3) .. "] = ")
    parts[#parts + 1] = key .. show(v[k], (depth or 0) + 1)
  end
  return "{" .. concat(parts, ", ") .. "}"
end

local function equal(a, b, depth)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" or (depth or 0) > 20 then return false end
  for k, v in pairs(a) do if not equal(v, b[k], (depth or 0) + 1) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local function prefix(message)
  return message == nil and "" or tostring(message) .. ": "
end

local cases, named = {}, {}

function test(name, fn)
  if type(name) ~= "string" then error("bad argument #1 to 'test' (string expected, got " .. type(name) .. ")", 2) end
  if type(fn) ~= "function" then error("bad argument #2 to 'test' (function expected, got " .. type(fn) .. ")", 2) end
  if named[name] then error("test '" .. name .. "' is defined twice", 2) end
  named[name] = true
  cases[#cases + 1] = {name = name, fn = fn}
end

function assert_eq(actual, expected, message)
  if not equal(actual, expected) then
    error(prefix(message) .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end

function assert_near(actual, expected, tolerance, message)
  tolerance = tolerance or 1e-9
  if type(actual) ~= "number" or type(expected) ~= "number" or not (abs(actual - expected) <= tolerance) then
    error(prefix(message) .. "expected " .. show(expected) .. " within " .. show(tolerance) .. ", got " .. show(actual), 2)
  end
end

function assert_true(value, message)
  if not value then error(prefix(message) .. "expected a true value, got " .. show(value), 2) end
end

function assert_false(value, message)
  if value then error(prefix(message) .. "expected false or nil, got " .. show(value), 2) end
end

function assert_error(fn, part, message)
  local ok, err = pcall(fn)
  if ok then error(prefix(message) .. "expected an error, none was raised", 2) end
  if part ~= nil and not find(tostring(err), part, 1, true) then
    error(prefix(message) .. "expected an error containing " .. show(part) .. ", got " .. show(tostring(err)), 2)
  end
  return err
end

function fail(message)
  error(tostring(message), 2)
end

local script = assert(load(script_source, "@" .. script_file))
function run_script(...)
  return script(...)
end

assert(load(test_source, "@" .. test_file))()

if mode == "list" then
  local names = {}
  for i, c in ipairs(cases) do names[i] = c.name end
  return table.unpack(names)
end
local case = cases[index]
if case == nil or case.name ~= wanted then
  return false, test_file .. " defines other cases in this run than it did when they were listed"
end
local ok, err = pcall(case.fn)
if ok then return true end
return false, tostring(err)
