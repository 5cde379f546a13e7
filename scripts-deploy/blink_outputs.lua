-- blink_outputs.lua: a running light over the first four digital outputs of a device.
-- Run it with: script:run blink_outputs          (default device)
--          or: script:run blink_outputs sim-2    (a device by id)
local device_id = ...
local rounds = 3
for _ = 1, rounds do
  for pin = 0, 3 do
    device_set_digital_output(pin, true, device_id)
    sleep(0.1)
    device_set_digital_output(pin, false, device_id)
  end
end
local status = device_get_status(device_id)
log_info("outputs now " .. status.details.outputs .. " on " .. status.device_id)
return status.details.outputs
