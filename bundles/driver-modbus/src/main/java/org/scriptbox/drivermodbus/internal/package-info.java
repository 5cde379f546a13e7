/** Modbus TCP device driver: its own Modbus TCP client, a command lane and a stop lane per device. Not exported. */
package org.scriptbox.drivermodbus.internal;
