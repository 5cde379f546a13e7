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

    static final Map<String, String> DOCS = Map.of(
            "device_set_motor_speed", doc("(motor_id, speed, device_id)", "---@param motor_id integer",
                    "---@param speed number -100..100", "---@param device_id? string default: the configured device",
                    "--- Needs the device:control permission."),
            "device_set_digital_output", doc("(pin, state, device_id)", "---@param pin integer 0..255",
                    "---@param state boolean", "---@param device_id? string", "--- Needs the device:write permission."),
            "device_emergency_stop", doc("(device_id)", "---@param device_id? string every device when absent",
                    "--- Always allowed."),
            "device_get_status", doc("(device_id)", "---@param device_id? string",
                    "---@return {device_id: string, connected: boolean, device_type: string, firmware_version: string, motors: integer, digital_outputs: integer, telemetry_channels: table, latency_ms?: number, last_error?: string, details: table}"),
            "device_list", doc("()", "---@return string[] device ids"),
            "telemetry_read", doc("(channels, device_id)", "---@param channels string[] at most 10",
                    "---@param device_id? string", "---@return table<string, number> values", "---@return table<string, string> failed"),
            "sleep", doc("(seconds)", "---@param seconds number at most 10; ends at once on cancel or timeout"),
            "log_info", doc("(message)", "---@param message any"),
            "log_warn", doc("(message)", "---@param message any"),
            "log_error", doc("(message)", "---@param message any"));
}
