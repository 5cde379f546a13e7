-- motor_ramp.lua: ramps motor 0 of the default device (sim-1) up and back down, watching the current
-- draw, and stops everything if anything goes wrong. Run it with: script:run motor_ramp
local max_current = 6.0

-- Luaj 3.0.1's string.format ignores the precision of %f (it printed "motor at 10.02122235%"),
-- so numbers are rounded here: fixed(10.0212, 1) is "10.0".
local function fixed(x, decimals)
  local scale = 10 ^ decimals
  local n = math.floor(math.abs(x) * scale + 0.5)
  local whole = math.floor(n / scale)
  local s = string.format("%d", whole)
  if decimals > 0 then
    s = s .. "." .. string.format("%0" .. decimals .. "d", n - whole * scale)
  end
  return (x < 0 and n > 0) and "-" .. s or s
end

local function step(speed)
  device_set_motor_speed(0, speed)
  sleep(0.2)
  local t, failed = telemetry_read({"current", "motor0.speed"})
  if failed then
    for channel, why in pairs(failed) do log_warn(channel .. " unreadable: " .. why) end
    return
  end
  log_info(string.format("set %4d%%, motor at %5s%%, drawing %s A", speed, fixed(t["motor0.speed"], 1), fixed(t.current, 2)))
  if t.current > max_current then
    error(string.format("current %s A above %s A", fixed(t.current, 2), fixed(max_current, 2)))
  end
end

local ok, err = pcall(function()
  for speed = 0, 80, 20 do step(speed) end
  for speed = 80, 0, -20 do step(speed) end
end)
if not ok then
  log_error("ramp aborted: " .. tostring(err))
  device_emergency_stop()   -- always allowed, even with an empty token bucket
  return false
end
return true
