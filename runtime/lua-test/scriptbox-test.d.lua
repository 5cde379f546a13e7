---@meta scriptbox-test
-- The functions a script's test file (NAME_test.lua, run by `script:test NAME`) has besides the script's own
-- globals: the test harness and the mock devices' controls (bundles/testing). They exist in test files only:
-- add this folder to "workspace.library" in .luarc.json to complete them (they then complete in scripts too).
-- TestDefinitionsTest checks that every function the harness and the controls offer is declared here.

--- A test case; names are unique in a file. Each case runs in an execution of its own: fresh globals,
--- fresh mock devices, the virtual clock at 0.
---@param name string
---@param fn fun()
function test(name, fn) end

--- Runs the script under test (NAME.lua) with `...` as its arguments; returns what it returns, its errors propagate.
---@return any ...
function run_script(...) end

--- Runs the script at each firing of its schedule (the scheduler's own fire times, its [schedule] or sched:set) in
--- the next `seconds` of virtual time, the clock moved to each firing; a firing while a run still goes is skipped.
---@param seconds number
---@return integer runs
---@return any ... the values of the last run
function run_schedule(seconds, ...) end

--- Equal values; tables compare by content.
---@param actual any
---@param expected any
---@param message? string
function assert_eq(actual, expected, message) end

--- Numbers within `tolerance` (default 1e-9).
---@param actual number
---@param expected number
---@param tolerance? number
---@param message? string
function assert_near(actual, expected, tolerance, message) end

--- A true value.
---@param value any
---@param message? string
function assert_true(value, message) end

--- false or nil.
---@param value any
---@param message? string
function assert_false(value, message) end

--- `fn()` raises an error whose message contains `part`; returns the message.
---@param fn fun()
---@param part? string
---@param message? string
---@return string
function assert_error(fn, part, message) end

--- Fails the case here.
---@param message any
function fail(message) end

---@class MockDeviceSpec
---@field motors? integer motors (default 1)
---@field digital_outputs? integer digital outputs (default 0)
---@field telemetry? table<string, number|number[]> channel = number, or a list read one value per read (the last repeats)
---@field connected? boolean default true

--- Adds (or replaces) a mock device; at most 100.
---@param device_id string
---@param spec? MockDeviceSpec
---@return string device_id
function mock_device(device_id, spec) end

--- The next `times` calls of a device function fail as a device's failure does (default 1; 0: every call).
---@param function_name string e.g. "telemetry_read"
---@param message string
---@param times? integer
function mock_fail(function_name, message, times) end

---@class DeviceCall
---@field name string the device function
---@field args any[] its arguments
---@field device string|nil the device it went to
---@field time number virtual seconds since the case started

--- Every device call, oldest first (the first 1000 are kept), or those of one function.
---@param function_name? string
---@return DeviceCall[]
function device_calls(function_name) end

--- How many device calls were made, or how many of one function.
---@param function_name? string
---@return integer
function device_call_count(function_name) end

--- The speed the script last set (0 after an emergency stop).
---@param motor_id integer
---@param device_id? string
---@return number
function motor_speed(motor_id, device_id) end

--- The state the script last set (false after an emergency stop).
---@param pin integer
---@param device_id? string
---@return boolean
function digital_output(pin, device_id) end

--- Whether an emergency stop reached the device in this case.
---@param device_id? string
---@return boolean
function emergency_stopped(device_id) end

--- Moves the virtual clock on by `seconds` (no 10 s bound, unlike sleep); returns the new time.
---@param seconds number
---@return number
function advance(seconds) end

--- When the script's schedule fires in the next `seconds` of virtual time (seconds since the case started, at most 1000).
---@param seconds number
---@return number[]
function schedule_times(seconds) end

--- Virtual seconds since the case started (what its sleeps added up to); os.time/os.date/os.clock read it too.
---@return number
function test_clock() end
