package org.scriptbox.api.device;

/**
 * What a script may do with one of a device's channels: its name, whether it is a boolean (read as
 * {@code true}/{@code false}, carried in {@link ChannelValue} as 1 or 0) or a number, whether it can be
 * written, and the range a write may ask for (the device's raw range through its scale and offset).
 *
 * @param name     the channel's name, as in {@link DeviceInfo#telemetryChannels()}
 * @param bool     a boolean channel (a coil, a discrete input, a bit of a register)
 * @param writable whether {@link Device#writeChannel} may write it
 * @param min      the lowest value a write may ask for
 * @param max      the highest value a write may ask for
 * @since 2.3
 */
public record ChannelInfo(String name, boolean bool, boolean writable, double min, double max) {
    /** A read-only number channel (what every telemetry channel was before 2.3). */
    public static ChannelInfo readOnly(String name) {
        return new ChannelInfo(name, false, false, Double.NaN, Double.NaN);
    }
}
