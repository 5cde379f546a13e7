/**
 * The device driver SPI. A driver bundle registers one {@link org.scriptbox.api.device.Device} service
 * per device it serves; the devices bundle finds them on the service registry (whiteboard) by their
 * {@code device.id} property, so drivers come and go at runtime.
 * <p>
 * 2.0.0: four write outcomes ({@link org.scriptbox.api.device.WriteOutcome}), a {@link
 * org.scriptbox.api.device.CallContext} with every ordinary command, a per-target emergency stop on its own
 * lane, safe states, and health from real exchanges. 2.1.0: {@link org.scriptbox.api.device.Actuator#parse}. 2.2.0:
 * {@link org.scriptbox.api.device.DeviceDirectory}, the one tracker of device services (one id rule), and
 * {@link org.scriptbox.api.device.StopCoalescer}, which drivers use so that every e-stop path coalesces. 2.3.0:
 * {@link org.scriptbox.api.device.Device#channels()} ({@link org.scriptbox.api.device.ChannelInfo}) and {@link
 * org.scriptbox.api.device.Device#writeChannel}, the generic read and write of configured channels. 2.4.0:
 * {@link org.scriptbox.api.device.Actuator.Kind#CHANNEL}: writable channels are stopped by the e-stop and put into
 * their safe value like motors and outputs; a latching e-stop ({@link
 * org.scriptbox.api.device.StopCoalescer#latching}, {@link org.scriptbox.api.device.Device#resetEmergencyStop}).
 */
@Export
@Version("2.4.0")
package org.scriptbox.api.device;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
