-- telemetry_report.lua: one line per device the script may read, with its telemetry. sim-2's
-- 'pressure' sensor is configured to fail (etc/org.scriptbox.driver.sim-2.cfg): failed channels come
-- back in a second table instead of spoiling the whole read.
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

local lines = {}
for _, id in ipairs(device_list()) do
  local status = device_get_status(id)
  local channels = status.telemetry_channels
  local picked = {}
  for i = 1, math.min(#channels, 10) do picked[i] = channels[i] end   -- at most 10 per read
  local values, failed = telemetry_read(picked, id)
  local parts = {}
  for _, name in ipairs(picked) do
    if values[name] then
      parts[#parts + 1] = name .. "=" .. fixed(values[name], 2)
    else
      parts[#parts + 1] = name .. "=FAILED(" .. failed[name] .. ")"
    end
  end
  local line = string.format("%s [%s, %s]: %s", id, status.device_type,
    status.connected and "connected" or "DISCONNECTED", table.concat(parts, " "))
  log_info(line)
  lines[#lines + 1] = line
end
return table.concat(lines, "\n")
