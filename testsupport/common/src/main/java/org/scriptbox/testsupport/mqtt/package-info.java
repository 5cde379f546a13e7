/** Test support: a real Eclipse Mosquitto broker started by a test on loopback. */
@Export
@Version("1.0.0")
package org.scriptbox.testsupport.mqtt;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
