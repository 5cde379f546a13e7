package org.scriptbox.drivermodbus.internal;

import java.util.Arrays;

/**
 * One Modbus request PDU and how to check its answer. Only the functions the driver uses: read coils (1),
 * read holding registers (3), read input registers (4), write single coil (5), write single register (6).
 */
record ModbusRequest(int function, int address, int value) {
    static ModbusRequest readCoils(int address, int count) {
        return new ModbusRequest(1, address, count);
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

    boolean isWrite() {
        return function == 5 || function == 6;
    }

    byte[] pdu() {
        return new byte[] {(byte) function, (byte) (address >> 8), (byte) address, (byte) (value >> 8), (byte) value};
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
            if (!Arrays.equals(answer, pdu())) {
                throw malformed("an echo that differs from the request");
            }
        } else {
            int expected = function == 1 ? (value + 7) / 8 : 2 * value;
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

    /** E.g. "write single register (FC06) at address 3". */
    String describe() {
        return ModbusNames.functionName(function) + " (FC" + (function < 10 ? "0" : "") + function
                + ") at address " + address;
    }

    private ModbusFailure malformed(String what) {
        return new ModbusFailure(ModbusFailure.Kind.MALFORMED, describe() + ": malformed answer (" + what + ")");
    }
}
