/**
 * The device driver SPI. A driver bundle registers one {@link org.scriptbox.api.device.Device} service
 * per device it serves; the devices bundle finds them on the service registry (whiteboard) by their
 * {@code device.id} property, so drivers come and go at runtime.
 */
@Export
@Version("1.0.0")
package org.scriptbox.api.device;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
