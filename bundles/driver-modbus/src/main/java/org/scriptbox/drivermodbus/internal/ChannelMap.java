package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each telemetry channel lives: {@code name:address[:scale]}, comma-separated, input registers read
 * as signed 16-bit values times the scale (e.g. {@code temperature:0:0.1} for tenths of a degree).
 */
final class ChannelMap {
    record Channel(String name, int address, double scale) {
    }

    private final Map<String, Channel> channels;

    private ChannelMap(Map<String, Channel> channels) {
        this.channels = channels;
    }

    static ChannelMap parse(String text) {
        Map<String, Channel> channels = new LinkedHashMap<>();
        for (String entry : ModbusDevice.split(text)) {
            String[] parts = entry.split(":");
            if (parts.length < 2 || parts.length > 3 || parts[0].isBlank()) {
                throw new IllegalArgumentException("telemetry entry '" + entry + "': expected name:address[:scale]");
            }
            try {
                int address = Integer.parseInt(parts[1].trim());
                double scale = parts.length == 3 ? Double.parseDouble(parts[2].trim()) : 1.0;
                if (address < 0 || address > 65535 || !Double.isFinite(scale)) {
                    throw new IllegalArgumentException("telemetry entry '" + entry + "': address 0..65535 and a "
                            + "finite scale required");
                }
                channels.put(parts[0].trim(), new Channel(parts[0].trim(), address, scale));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("telemetry entry '" + entry + "': " + e.getMessage(), e);
            }
        }
        return new ChannelMap(channels);
    }

    List<String> names() {
        return new ArrayList<>(channels.keySet());
    }

    Channel get(String name) {
        return channels.get(name);
    }
}
