/** Modbus TCP device driver (j2mod embedded). Not exported. */
package org.scriptbox.drivermodbus.internal;
