-- motor_ramp.lua: ramps motor 0 of the default device (sim-1) up and back down, watching the current
-- draw, and stops everything if anything goes wrong. Run it with: script:run motor_ramp
local max_current = 6.0

local function step(speed)
  device_set_motor_speed(0, speed)
  sleep(0.2)
  local t, failed = telemetry_read({"current", "motor0.speed"})
  if failed then
    for channel, why in pairs(failed) do log_warn(channel .. " unreadable: " .. why) end
    return
  end
  log_info(string.format("set %4d%%, motor at %5.1f%%, drawing %.2f A", speed, t["motor0.speed"], t.current))
  if t.current > max_current then
    error(string.format("current %.2f A above %.2f A", t.current, max_current))
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
