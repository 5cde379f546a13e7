package org.scriptbox.driversim.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.scriptbox.api.device.ChannelInfo;

/**
 * A writable channel of the simulator ({@code setpoints = speed_ref:0:1500, enable:bool}): a number within its
 * range, or a boolean; it reads back what was last written (0 at start). An optional last part is its safe value,
 * what an e-stop and the safe state write ({@code speed_ref:0:1500:100}, {@code enable:bool:off}, or {@code leave});
 * without it 0 (off), as for the Modbus driver's channels. Immutable.
 *
 * @param safe the safe value, or {@code null}: left alone
 * @param safeGiven whether the safe value was configured (else the device's safe.state base decides after an
 *                  abnormal end: {@code leave} leaves it)
 */
record Setpoint(String name, boolean bool, double min, double max, Double safe, boolean safeGiven) {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_.]{0,63}");
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?([0-9]{1,15}(\\.[0-9]{0,15})?|\\.[0-9]{1,15})");

    ChannelInfo info() {
        return new ChannelInfo(name, bool, true, bool ? 0 : min, bool ? 1 : max);
    }

    /**
     * {@code name:min:max} or {@code name:bool}, comma-separated.
     * @throws IllegalArgumentException naming the bad entry
     */
    static List<Setpoint> parse(String text) {
        List<Setpoint> list = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String entry : SimulatedDevice.split(text)) {
            String[] p = entry.split(":", -1);
            String name = p[0].trim();
            Setpoint s = null;
            boolean bool = p.length >= 2 && p[1].trim().equals("bool");
            int parts = bool ? 2 : 3;
            String safeText = p.length == parts + 1 ? p[parts].trim() : null;
            if (NAME.matcher(name).matches() && bool && p.length <= 3) {
                Double safe = safeText == null || safeText.equals("off") ? Double.valueOf(0)
                        : safeText.equals("on") ? Double.valueOf(1) : null;
                if (safe != null || "leave".equals(safeText)) {
                    s = new Setpoint(name, true, 0, 1, safe, safeText != null);
                }
            } else if (NAME.matcher(name).matches() && !bool && (p.length == 3 || p.length == 4)
                    && DECIMAL.matcher(p[1].trim()).matches() && DECIMAL.matcher(p[2].trim()).matches()) {
                double min = Double.parseDouble(p[1].trim());
                double max = Double.parseDouble(p[2].trim());
                Double safe = safeText == null ? Double.valueOf(0) : safeText.equals("leave") ? null
                        : DECIMAL.matcher(safeText).matches() ? Double.valueOf(safeText) : Double.valueOf(Double.NaN);
                if (min <= max && (safe == null || (safe >= min && safe <= max))) {
                    s = new Setpoint(name, false, min, max, safe, safeText != null);
                }
            }
            if (s == null) {
                throw new IllegalArgumentException("bad setpoints entry '" + entry + "': expected name:min:max[:safe] "
                        + "(min <= max, the safe value within, default 0) or name:bool[:on|off|leave]");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("bad setpoints entry '" + entry + "': '" + name + "' twice");
            }
            list.add(s);
        }
        return List.copyOf(list);
    }
}
