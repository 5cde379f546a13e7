package org.scriptbox.devices.internal;

import java.util.Map;

/**
 * LuaLS annotations of {@link DeviceApi}'s functions, for the definitions file the build writes
 * (runtime/lua/scriptbox.d.lua). {@code DeviceDefinitionsTest} holds the keys to the functions registered.
 */
final class DeviceApiDocs {
    private DeviceApiDocs() {
    }

    /** {@code "(a, b)"} then annotation lines: the form the engine's definitions generator takes. */
    private static String doc(String signature, String... lines) {
        return signature + "\n" + String.join("\n", lines);
    }

    static final Map<String, String> DOCS = Map.ofEntries(
            Map.entry("device_set_motor_speed", doc("(motor_id, speed, device_id)", "---@param motor_id integer",
                    "---@param speed number -100..100", "---@param device_id? string default: the configured device",
                    "--- Needs the device:control permission.")),
            Map.entry("device_set_digital_output", doc("(pin, state, device_id)", "---@param pin integer 0..255",
                    "---@param state boolean", "---@param device_id? string", "--- Needs the device:write permission.")),
            Map.entry("device_emergency_stop", doc("(device_id)", "---@param device_id? string every device when absent",
                    "--- Always allowed.")),
            Map.entry("device_get_status", doc("(device_id)", "---@param device_id? string",
                    "---@return {device_id: string, connected: boolean, device_type: string, firmware_version: string, motors: integer, digital_outputs: integer, telemetry_channels: table, latency_ms?: number, last_error?: string, details: table}")),
            Map.entry("device_list", doc("()", "---@return string[] device ids")),
            Map.entry("telemetry_read", doc("(channels, device_id)", "---@param channels string[] at most 10",
                    "---@param device_id? string", "---@return table<string, number> values", "---@return table<string, string> failed")),
            Map.entry("sleep", doc("(seconds)", "---@param seconds number at most 10; ends at once on cancel or timeout")),
            Map.entry("log_info", doc("(message)", "---@param message any")),
            Map.entry("log_warn", doc("(message)", "---@param message any")),
            Map.entry("log_error", doc("(message)", "---@param message any")),
            Map.entry("device_read", doc("(channel, device_id)", "---@param channel string a configured channel",
                    "---@param device_id? string", "---@return boolean|number value a boolean for a bool channel",
                    "--- Needs the device:read permission (and telemetry:read for a read-only channel).")),
            Map.entry("device_write", doc("(channel, value, device_id)", "---@param channel string a writable channel (access=rw)",
                    "---@param value boolean|number within the channel's range", "---@param device_id? string",
                    "--- Needs the device:write permission.")));
}
