-- telemetry_report.lua: one line per device the script may read, with its telemetry. sim-2's
-- 'pressure' sensor is configured to fail (etc/org.scriptbox.driver.sim-2.cfg): failed channels come
-- back in a second table instead of spoiling the whole read.

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
      parts[#parts + 1] = name .. "=" .. string.format("%.2f", values[name])
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
