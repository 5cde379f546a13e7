package org.scriptbox.drivermodbus.internal;

import java.util.Arrays;

/**
 * One Modbus request PDU, the unit it is for, and how to check its answer. The functions the driver uses:
 * read coils (1), read discrete inputs (2), read holding registers (3), read input registers (4), write
 * single coil (5), write single register (6), write multiple coils (15), write multiple registers (16).
 *
 * @param unit     the unit id, or {@link #DEVICE_UNIT} for the device's configured one
 * @param function the function code
 * @param address  the first coil or register
 * @param value    a read's count, a single write's value, a multiple write's count
 * @param data     a multiple write's values as they go on the wire (FC15: packed bits, FC16: big-endian
 *                 registers), else {@code null}; never changed after construction
 */
record ModbusRequest(int unit, int function, int address, int value, byte[] data) {
    /** The device's configured unit id (each connection knows it). */
    static final int DEVICE_UNIT = -1;
    /** The protocol's limits per request. */
    static final int MAX_READ_REGISTERS = 125;
    static final int MAX_READ_BITS = 2000;
    static final int MAX_WRITE_REGISTERS = 123;
    static final int MAX_WRITE_BITS = 1968;

    ModbusRequest(int function, int address, int value) {
        this(DEVICE_UNIT, function, address, value, null);
    }

    static ModbusRequest readCoils(int address, int count) {
        return new ModbusRequest(1, address, count);
    }

    static ModbusRequest readDiscreteInputs(int address, int count) {
        return new ModbusRequest(2, address, count);
    }

    static ModbusRequest readHoldingRegisters(int address, int count) {
        return new ModbusRequest(3, address, count);
    }

    static ModbusRequest readInputRegisters(int address, int count) {
        return new ModbusRequest(4, address, count);
    }

    static ModbusRequest writeCoil(int address, boolean on) {
        return new ModbusRequest(5, address, on ? 0xFF00 : 0);
    }

    /** @param value a signed or unsigned 16-bit value; the low 16 bits are sent */
    static ModbusRequest writeRegister(int address, int value) {
        return new ModbusRequest(6, address, value & 0xffff);
    }

    /** FC15 with the given coil states. */
    static ModbusRequest writeCoils(int address, boolean[] states) {
        byte[] packed = new byte[(states.length + 7) / 8];
        for (int i = 0; i < states.length; i++) {
            if (states[i]) {
                packed[i / 8] |= (byte) (1 << (i % 8));
            }
        }
        return new ModbusRequest(DEVICE_UNIT, 15, address, states.length, packed);
    }

    /** FC16 with the given 16-bit words, first register first. */
    static ModbusRequest writeRegisters(int address, int[] words) {
        byte[] bytes = new byte[2 * words.length];
        for (int i = 0; i < words.length; i++) {
            bytes[2 * i] = (byte) (words[i] >> 8);
            bytes[2 * i + 1] = (byte) words[i];
        }
        return new ModbusRequest(DEVICE_UNIT, 16, address, words.length, bytes);
    }

    /** The same request for another unit ({@link #DEVICE_UNIT}: the device's own). */
    ModbusRequest forUnit(int unitId) {
        return new ModbusRequest(unitId, function, address, value, data);
    }

    /** The unit this request goes to, given the device's configured one. */
    int unitOr(int deviceUnit) {
        return unit == DEVICE_UNIT ? deviceUnit : unit;
    }

    boolean isWrite() {
        return function == 5 || function == 6 || function == 15 || function == 16;
    }

    boolean readsBits() {
        return function == 1 || function == 2;
    }

    byte[] pdu() {
        byte[] head = {(byte) function, (byte) (address >> 8), (byte) address, (byte) (value >> 8), (byte) value};
        if (data == null) {
            return head;
        }
        byte[] pdu = Arrays.copyOf(head, head.length + 1 + data.length);
        pdu[5] = (byte) data.length;
        System.arraycopy(data, 0, pdu, 6, data.length);
        return pdu;
    }

    /** The length of the answer's PDU when it is not an exception, or -1 if only its byte count tells. */
    int answerLength() {
        return isWrite() ? 5 : 2 + expectedBytes();
    }

    private int expectedBytes() {
        return readsBits() ? (value + 7) / 8 : 2 * value;
    }

    /** Returns the answer PDU if it answers this request; a Modbus exception or a bad body is a failure. */
    byte[] check(byte[] answer) throws ModbusFailure {
        if (answer.length == 0) {
            throw malformed("an empty answer");
        }
        int fn = answer[0] & 0xff;
        if (fn == (function | 0x80)) {
            if (answer.length != 2) {
                throw malformed("an exception answer of " + answer.length + " bytes");
            }
            int code = answer[1] & 0xff;
            throw new ModbusFailure(ModbusFailure.Kind.REFUSED, describe() + ": exception " + code + " ("
                    + ModbusNames.meaning(code) + ")");
        }
        if (fn != function) {
            throw malformed("an answer for function " + fn);
        }
        if (isWrite()) {
            // single writes echo the request; multiple writes echo function, address and count
            if (!Arrays.equals(answer, Arrays.copyOf(pdu(), 5))) {
                throw malformed("an echo that differs from the request");
            }
        } else {
            int expected = expectedBytes();
            if (answer.length < 2 || (answer[1] & 0xff) != expected || answer.length != 2 + expected) {
                throw malformed(answer.length < 2 ? "no byte count"
                        : "byte count " + (answer[1] & 0xff) + " with " + (answer.length - 2) + " data bytes, "
                        + expected + " expected");
            }
        }
        return answer;
    }

    /** The 16-bit register {@code i} of a checked read answer, signed. */
    static short register(byte[] answer, int i) {
        return (short) (((answer[2 + 2 * i] & 0xff) << 8) | (answer[3 + 2 * i] & 0xff));
    }

    /** Bit {@code i} of a checked coil or discrete input answer. */
    static boolean bit(byte[] answer, int i) {
        return (answer[2 + i / 8] & (1 << (i % 8))) != 0;
    }

    /** E.g. "write single register (FC06) at address 3" (and "unit 7" when not the device's). */
    String describe() {
        return ModbusNames.functionName(function) + " (FC" + (function < 10 ? "0" : "") + function
                + ") at address " + address + (unit == DEVICE_UNIT ? "" : " unit " + unit);
    }

    private ModbusFailure malformed(String what) {
        return new ModbusFailure(ModbusFailure.Kind.MALFORMED, describe() + ": malformed answer (" + what + ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModbusRequest r && r.unit == unit && r.function == function && r.address == address
                && r.value == value && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * function + address) + value) + unit + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return describe() + " value " + value;
    }
}
