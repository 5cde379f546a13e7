-- motor_ramp_test.lua: tests of motor_ramp.lua on a mock device with a virtual clock (script:test motor_ramp).
-- Never deployed (a *_test.lua file is a test, not a script) and never near a real motor.

test("ramps up to 80 % and back down to 0 in 20 % steps", function()
  mock_device("sim-1", {motors = 1, telemetry = {current = 1.5}})
  assert_eq(run_script(), true)
  local speeds = {}
  for _, call in ipairs(device_calls("device_set_motor_speed")) do speeds[#speeds + 1] = call.args[2] end
  assert_eq(speeds, {0, 20, 40, 60, 80, 80, 60, 40, 20, 0})
  assert_eq(motor_speed(0), 0)
  assert_near(test_clock(), 2.0, 1e-9, "ten steps of 0.2 s")
end)

test("an over-current stops every device", function()
  mock_device("sim-1", {motors = 1, telemetry = {current = {1.0, 2.5, 7.5}}})
  assert_eq(run_script(), false)
  assert_true(emergency_stopped(), "the e-stop was sent")
  assert_eq(motor_speed(0), 0)
  assert_eq(device_call_count("device_set_motor_speed"), 3, "no step after the over-current")
end)

test("a failed telemetry read aborts the ramp and stops every device", function()
  mock_device("sim-1", {motors = 1, telemetry = {current = 1.0}})
  mock_fail("telemetry_read", "timeout", 0)
  assert_eq(run_script(), false)
  assert_true(emergency_stopped())
end)
