package org.scriptbox.drivermodbus.internal;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.scriptbox.api.text.LuaNumbers;

/**
 * One configured channel: where it lives (table, address, unit), how its bits are a number (type, word order,
 * byte swap, bit of a register), how that number becomes the value scripts see ({@code raw * scale + offset})
 * and whether and how it may be written. Parsed and range-checked once at activation from the text of a
 * {@code channel.NAME} key; immutable.
 * <p>
 * Text: {@code TABLE ADDRESS TYPE [option=value ...]}, e.g. {@code holding 100 float32 words=little scale=0.1}.
 */
record ChannelSpec(String name, Table table, int address, Type type, int unit, boolean littleEndianWords,
                   boolean swapBytes, int bit, double scale, double offset, boolean writable, boolean multipleWrite,
                   Safe safe, double safeValue) {

    /**
     * What an e-stop and the safe state do with a writable channel ({@code safe=}): write 0 (off) when not said
     * otherwise, as a motor goes to 0 and an output off (a channel that drives something is de-energised by
     * default); write the configured value; or leave it alone. Without {@code safe=}, the device's
     * {@code safe.state} base decides after an abnormal end ({@code leave} leaves it); the e-stop writes 0.
     */
    enum Safe {
        DEFAULT, VALUE, LEAVE
    }

    /** The four Modbus tables, with their read function. */
    enum Table {
        COIL("coil", 1), DISCRETE("discrete", 2), HOLDING("holding", 3), INPUT("input", 4);

        final String word;
        final int readFunction;

        Table(String word, int readFunction) {
            this.word = word;
            this.readFunction = readFunction;
        }

        boolean bits() {
            return this == COIL || this == DISCRETE;
        }

        boolean writable() {
            return this == COIL || this == HOLDING;
        }
    }

    /** Value types and how many 16-bit registers each takes. */
    enum Type {
        BOOL(1), INT16(1), UINT16(1), INT32(2), UINT32(2), FLOAT32(2), INT64(4), FLOAT64(4);

        final int words;

        Type(int words) {
            this.words = words;
        }

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The raw value range of an integer type, as doubles (int64: the doubles nearest to its ends). */
        double rawMin() {
            return switch (this) {
                case BOOL, UINT16, UINT32 -> 0;
                case INT16 -> Short.MIN_VALUE;
                case INT32 -> Integer.MIN_VALUE;
                case INT64 -> Long.MIN_VALUE;
                case FLOAT32 -> -Float.MAX_VALUE;
                case FLOAT64 -> -Double.MAX_VALUE;
            };
        }

        double rawMax() {
            return switch (this) {
                case BOOL -> 1;
                case UINT16 -> 0xffff;
                case INT16 -> Short.MAX_VALUE;
                case UINT32 -> 0xffffffffL;
                case INT32 -> Integer.MAX_VALUE;
                case INT64 -> Long.MAX_VALUE;
                case FLOAT32 -> Float.MAX_VALUE;
                case FLOAT64 -> Double.MAX_VALUE;
            };
        }

        boolean floating() {
            return this == FLOAT32 || this == FLOAT64;
        }
    }

    static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]{0,63}");
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?([0-9]{1,30}(\\.[0-9]{0,30})?|\\.[0-9]{1,30})([eE][+-]?[0-9]{1,3})?");
    private static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]{1,6}");
    static final String FORMAT = "expected TABLE ADDRESS TYPE [option=value ...] with TABLE coil|discrete|holding|"
            + "input, TYPE bool|int16|uint16|int32|uint32|float32|int64|float64, options words=big|little, "
            + "bytes=normal|swapped, bit=0..15, scale=, offset=, unit=0..255, access=read|rw, write=single|multiple, "
            + "safe=VALUE|on|off|leave";

    /** A channel of the old {@code telemetry} key: an input register, signed 16-bit, times the scale. */
    static ChannelSpec telemetry(String name, int address, double scale) {
        return new ChannelSpec(name, Table.INPUT, address, Type.INT16, ModbusRequest.DEVICE_UNIT, false, false, -1,
                scale, 0, false, false, Safe.LEAVE, 0);
    }

    /**
     * Parses {@code text} for the channel {@code name}.
     * @param maxUnit the highest unit id the transport allows (255 for TCP, 247 for RTU, where 0 is broadcast:
     *                never answered, so never acknowledged, and refused)
     * @throws IllegalArgumentException saying what is wrong, one short sentence
     */
    static ChannelSpec parse(String name, String text, int maxUnit) {
        return parse(name, text, 0, maxUnit);
    }

    /** As {@link #parse(String, String, int)}, with the lowest unit id the transport allows. */
    static ChannelSpec parse(String name, String text, int minUnit, int maxUnit) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("the channel name must be a letter or '_' and then letters, digits, "
                    + "'_' or '.' (at most 64)");
        }
        String[] words = text.trim().split("\\s+");
        if (words.length < 3) {
            throw new IllegalArgumentException(FORMAT);
        }
        Table table = null;
        for (Table t : Table.values()) {
            if (t.word.equals(words[0])) {
                table = t;
            }
        }
        if (table == null) {
            throw new IllegalArgumentException("table '" + words[0] + "' is not coil, discrete, holding or input");
        }
        int address = whole(words[1], "address", 0, 65535);
        Type type = null;
        for (Type t : Type.values()) {
            if (t.word().equals(words[2])) {
                type = t;
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("type '" + words[2] + "' is not bool, int16, uint16, int32, uint32, "
                    + "float32, int64 or float64");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 3; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0 || options.put(words[i].substring(0, eq), words[i].substring(eq + 1)) != null) {
                throw new IllegalArgumentException("option '" + words[i] + "' is not name=value or is given twice");
            }
        }
        boolean little = choice(options.remove("words"), "words", "big", "little");
        boolean swap = choice(options.remove("bytes"), "bytes", "normal", "swapped");
        String bitText = options.remove("bit");
        int bit = bitText == null ? -1 : whole(bitText, "bit", 0, 15);
        double scale = decimal(options.remove("scale"), "scale", 1.0);
        double offset = decimal(options.remove("offset"), "offset", 0.0);
        String unitText = options.remove("unit");
        int unit = unitText == null ? ModbusRequest.DEVICE_UNIT : whole(unitText, "unit", minUnit, maxUnit);
        boolean writable = choice(options.remove("access"), "access", "read", "rw");
        String writeText = options.remove("write");
        boolean multiple = choice(writeText, "write", "single", "multiple");
        String safeText = options.remove("safe");
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("unknown option '" + options.keySet().iterator().next() + "' ("
                    + "known: words, bytes, bit, scale, offset, unit, access, write, safe)");
        }
        if (!(scale > 0)) {
            throw new IllegalArgumentException("scale must be above 0");
        }
        if (table.bits() && type != Type.BOOL) {
            throw new IllegalArgumentException("a " + table.word + " is a bit: its type is bool");
        }
        if (type == Type.BOOL && !table.bits() && bit < 0) {
            throw new IllegalArgumentException("a bool in a register needs bit=0..15");
        }
        if (bit >= 0 && type != Type.BOOL) {
            throw new IllegalArgumentException("bit= is for a bool in a register only");
        }
        if (bit >= 0 && table.bits()) {
            throw new IllegalArgumentException("bit= is for a bool in a register, not in a " + table.word);
        }
        if (type == Type.BOOL && (scale != 1.0 || offset != 0.0)) {
            throw new IllegalArgumentException("a bool takes no scale or offset");
        }
        if (type.words == 1 && little) {
            throw new IllegalArgumentException("words=little needs a type of two or four registers");
        }
        if (address + type.words - 1 > 65535) {
            throw new IllegalArgumentException("a " + type.word() + " at " + address + " runs past register 65535");
        }
        if (writable && !table.writable()) {
            throw new IllegalArgumentException("a " + table.word + " cannot be written (access=rw is for coil or "
                    + "holding)");
        }
        if (writable && bit >= 0) {
            throw new IllegalArgumentException("a bit of a register cannot be written on its own (a read-modify-write "
                    + "could undo another writer's change): use a coil or the whole register");
        }
        if (writeText != null && !writable) {
            throw new IllegalArgumentException("write= needs access=rw");
        }
        if (writable && type.words > 1 && writeText != null && !multiple) {
            throw new IllegalArgumentException("a " + type.word() + " spans " + type.words + " registers: only "
                    + "write=multiple (FC16) writes it at once");
        }
        if (safeText != null && !writable) {
            throw new IllegalArgumentException("safe= needs access=rw (a read-only channel is never written)");
        }
        ChannelSpec spec = new ChannelSpec(name, table, address, type, unit, little, swap, bit, scale, offset, writable,
                multiple || type.words > 1, writable ? Safe.DEFAULT : Safe.LEAVE, 0);
        return writable ? spec.withSafe(safeText) : spec;
    }

    /** This writable channel with its {@code safe=} text (null: 0 or off), checked to be a value it can be written. */
    private ChannelSpec withSafe(String text) {
        Safe mode = text == null ? Safe.DEFAULT : text.equals("leave") ? Safe.LEAVE : Safe.VALUE;
        double value = 0;
        if (mode == Safe.VALUE) {
            if (type == Type.BOOL) {
                if (!text.equals("on") && !text.equals("off")) {
                    throw new IllegalArgumentException("safe=" + text + ": a bool channel's safe value is on, off or "
                            + "leave");
                }
                value = text.equals("on") ? 1 : 0;
            } else if (text.equals("on") || text.equals("off")) {
                throw new IllegalArgumentException("safe=" + text + ": a number channel's safe value is a number or "
                        + "leave");
            } else {
                value = decimal(text, "safe", 0);
            }
        }
        ChannelSpec spec = new ChannelSpec(name, table, address, type, unit, littleEndianWords, swapBytes, bit, scale,
                offset, writable, multipleWrite, mode, value);
        if (mode != Safe.LEAVE) {
            try {
                spec.write(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(mode == Safe.DEFAULT
                        ? "0, the safe value an e-stop writes by default, is not a value of this channel ("
                        + e.getMessage() + "): give safe=VALUE or safe=leave"
                        : "safe=" + text + ": " + e.getMessage());
            }
        }
        return spec;
    }

    /**
     * The write that puts this channel into its safe value, or {@code null} if it is left alone: for an e-stop
     * ({@code leaveByDefault} false) or for the safe state after an abnormal end ({@code leaveByDefault}: the
     * device's {@code safe.state} base leaves what has no value of its own).
     */
    ModbusRequest safeWrite(boolean leaveByDefault) {
        if (!writable || safe == Safe.LEAVE || (safe == Safe.DEFAULT && leaveByDefault)) {
            return null;
        }
        return write(safeValue);
    }

    /** Registers (or bits) this channel covers from {@link #address}. */
    int span() {
        return table.bits() ? 1 : type.words;
    }

    /** Its value from the words (or bits: 0/1) read for it, first register first; raw * scale + offset. */
    double decode(int[] words) {
        if (table.bits()) {
            return words[0] != 0 ? 1 : 0;
        }
        if (bit >= 0) {
            return (words[0] >> bit & 1) != 0 ? 1 : 0;
        }
        long bits = 0;
        for (int i = 0; i < type.words; i++) {
            int w = words[littleEndianWords ? type.words - 1 - i : i] & 0xffff;
            if (swapBytes) {
                w = ((w & 0xff) << 8) | (w >> 8);
            }
            bits = (bits << 16) | w;
        }
        double raw = switch (type) {
            case INT16 -> (short) bits;
            case UINT16 -> bits & 0xffff;
            case INT32 -> (int) bits;
            case UINT32 -> bits & 0xffffffffL;
            case FLOAT32 -> Float.intBitsToFloat((int) bits);
            case INT64 -> bits;
            case FLOAT64 -> Double.longBitsToDouble(bits);
            case BOOL -> bits;
        };
        return raw * scale + offset;
    }

    /** The lowest and highest value a write may ask for (the raw range through scale and offset). */
    double minValue() {
        return type.rawMin() * scale + offset;
    }

    double maxValue() {
        return type.rawMax() * scale + offset;
    }

    /**
     * The request that writes {@code value}: FC05 or FC15 for a coil, FC06 or FC16 for a register.
     * @throws IllegalArgumentException if the value does not fit the type (nothing is sent)
     */
    ModbusRequest write(double value) {
        if (!writable) {
            throw new IllegalArgumentException("channel '" + name + "' is read-only");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value must be a finite number");
        }
        ModbusRequest r;
        if (table == Table.COIL) {
            if (value != 0 && value != 1) {
                throw new IllegalArgumentException("a bool channel takes true or false (1 or 0)");
            }
            r = multipleWrite ? ModbusRequest.writeCoils(address, new boolean[] {value == 1})
                    : ModbusRequest.writeCoil(address, value == 1);
        } else {
            int[] words = encode(value);
            r = multipleWrite ? ModbusRequest.writeRegisters(address, words)
                    : ModbusRequest.writeRegister(address, words[0]);
        }
        return r.forUnit(unit);
    }

    private int[] encode(double value) {
        double raw = (value - offset) / scale;
        long bits;
        if (type.floating()) {
            if (type == Type.FLOAT32 && (Math.abs(raw) > Float.MAX_VALUE)) {
                throw outOfRange(value);
            }
            bits = type == Type.FLOAT32 ? Float.floatToIntBits((float) raw) & 0xffffffffL
                    : Double.doubleToLongBits(raw);
        } else {
            double rounded = Math.rint(raw);
            // A value between two raw steps is refused, not rounded: a setpoint is written as asked or not at
            // all (2.5 on an int16 wrote 2, half-even, without a word). The tolerance keeps scaled decimals
            // (21.5 with scale 0.1 is 215.00000000000003) writable.
            if (Math.abs(raw - rounded) > 1e-9 * Math.max(1, Math.abs(raw))) {
                throw new IllegalArgumentException("value " + LuaNumbers.format(value) + " is between two steps of channel '"
                        + name + "' (" + type.word() + stepText() + "): the nearest are "
                        + LuaNumbers.format(Math.floor(raw) * scale + offset) + " and "
                        + LuaNumbers.format(Math.ceil(raw) * scale + offset));
            }
            // int64: a double at or past 2^63 does not fit (the long cast would clamp silently)
            if (rounded < type.rawMin() || rounded > type.rawMax()
                    || (type == Type.INT64 && rounded >= 0x1p63)) {
                throw outOfRange(value);
            }
            bits = (long) rounded;
        }
        int[] words = new int[type.words];
        for (int i = 0; i < type.words; i++) {
            int w = (int) (bits >>> (16 * (type.words - 1 - i))) & 0xffff;
            if (swapBytes) {
                w = ((w & 0xff) << 8) | (w >> 8);
            }
            words[littleEndianWords ? type.words - 1 - i : i] = w;
        }
        return words;
    }

    private IllegalArgumentException outOfRange(double value) {
        return new IllegalArgumentException("value " + LuaNumbers.format(value) + " does not fit channel '" + name + "' ("
                + type.word() + ", " + LuaNumbers.format(minValue()) + " .. " + LuaNumbers.format(maxValue()) + ")");
    }

    private String stepText() {
        return scale == 1.0 && offset == 0 ? "" : ", scale " + LuaNumbers.format(scale) + ", offset " + LuaNumbers.format(offset);
    }

    /** The text this spec stands for, normalised (for status and logs). */
    String describe() {
        StringBuilder s = new StringBuilder(table.word + " " + address + " " + type.word());
        if (littleEndianWords) {
            s.append(" words=little");
        }
        if (swapBytes) {
            s.append(" bytes=swapped");
        }
        if (bit >= 0) {
            s.append(" bit=").append(bit);
        }
        if (scale != 1.0) {
            s.append(" scale=").append(scale);
        }
        if (offset != 0.0) {
            s.append(" offset=").append(offset);
        }
        if (unit != ModbusRequest.DEVICE_UNIT) {
            s.append(" unit=").append(unit);
        }
        if (writable) {
            s.append(" access=rw write=").append(multipleWrite ? "multiple" : "single");
            s.append(" safe=").append(safe == Safe.LEAVE ? "leave" : type == Type.BOOL ? (safeValue != 0 ? "on" : "off")
                    : LuaNumbers.format(safeValue));
        }
        return s.toString();
    }

    private static boolean choice(String text, String option, String no, String yes) {
        if (text == null || text.equals(no)) {
            return false;
        }
        if (text.equals(yes)) {
            return true;
        }
        throw new IllegalArgumentException(option + "=" + text + ": expected " + option + "=" + no + " or " + option
                + "=" + yes);
    }

    private static int whole(String text, String what, int min, int max) {
        if (WHOLE.matcher(text).matches()) {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        }
        throw new IllegalArgumentException(what + " '" + text + "' is not a whole number in " + min + ".." + max);
    }

    private static double decimal(String text, String what, double otherwise) {
        if (text == null) {
            return otherwise;
        }
        if (DECIMAL.matcher(text).matches()) {
            double d = Double.parseDouble(text);
            if (Double.isFinite(d)) {
                return d;
            }
        }
        throw new IllegalArgumentException(what + " '" + text + "' is not a finite decimal number");
    }
}
