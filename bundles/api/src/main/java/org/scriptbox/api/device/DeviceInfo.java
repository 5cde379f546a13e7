package org.scriptbox.api.device;

import java.util.List;

/**
 * What a device is and can do.
 *
 * @param id                unique id
 * @param type              device type
 * @param firmwareVersion   firmware version string
 * @param motors            number of motors, ids {@code 0 .. motors-1}
 * @param digitalOutputs    number of digital outputs, pins {@code 0 .. digitalOutputs-1} (at most 256)
 * @param telemetryChannels names of readable telemetry channels
 */
public record DeviceInfo(String id, String type, String firmwareVersion, int motors, int digitalOutputs,
                         List<String> telemetryChannels) {
    public DeviceInfo {
        telemetryChannels = telemetryChannels == null ? List.of() : List.copyOf(telemetryChannels);
    }
}
