package org.scriptbox.api.device;

/**
 * One telemetry reading: a value, or a failure with its reason.
 *
 * @param value   the reading when {@code ok}, else {@code NaN}
 * @param ok      whether the channel was read
 * @param message why not, when not ok
 */
public record ChannelValue(double value, boolean ok, String message) {
    public static ChannelValue of(double value) {
        return new ChannelValue(value, true, null);
    }

    public static ChannelValue failed(String message) {
        return new ChannelValue(Double.NaN, false, message);
    }
}
