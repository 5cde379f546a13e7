package org.scriptbox.driversim.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.scriptbox.api.device.ChannelInfo;

/**
 * A writable channel of the simulator ({@code setpoints = speed_ref:0:1500, enable:bool}): a number within its
 * range, or a boolean; it reads back what was last written (0 at start). Immutable.
 */
record Setpoint(String name, boolean bool, double min, double max) {
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
            if (NAME.matcher(name).matches() && p.length == 2 && p[1].trim().equals("bool")) {
                s = new Setpoint(name, true, 0, 1);
            } else if (NAME.matcher(name).matches() && p.length == 3 && DECIMAL.matcher(p[1].trim()).matches()
                    && DECIMAL.matcher(p[2].trim()).matches()) {
                double min = Double.parseDouble(p[1].trim());
                double max = Double.parseDouble(p[2].trim());
                if (min <= max) {
                    s = new Setpoint(name, false, min, max);
                }
            }
            if (s == null) {
                throw new IllegalArgumentException("bad setpoints entry '" + entry + "': expected name:min:max "
                        + "(min <= max) or name:bool");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("bad setpoints entry '" + entry + "': '" + name + "' twice");
            }
            list.add(s);
        }
        return List.copyOf(list);
    }
}
