package org.scriptbox.drivermodbus.internal;

/** Names for Modbus function codes and exception codes, as the Modbus application protocol spec gives them. */
final class ModbusNames {
    private ModbusNames() {
    }

    static String meaning(int code) {
        return switch (code) {
            case 1 -> "illegal function";
            case 2 -> "illegal data address";
            case 3 -> "illegal data value";
            case 4 -> "server device failure";
            case 5 -> "acknowledge";
            case 6 -> "server device busy";
            case 8 -> "memory parity error";
            case 10 -> "gateway path unavailable";
            case 11 -> "gateway target device failed to respond";
            default -> "unknown exception code";
        };
    }

    static String functionName(int function) {
        return switch (function) {
            case 1 -> "read coils";
            case 2 -> "read discrete inputs";
            case 3 -> "read holding registers";
            case 4 -> "read input registers";
            case 5 -> "write single coil";
            case 6 -> "write single register";
            case 15 -> "write multiple coils";
            case 16 -> "write multiple registers";
            default -> "function " + function;
        };
    }
}
