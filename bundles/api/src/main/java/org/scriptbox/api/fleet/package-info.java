/**
 * Fleet management over MQTT 5: the topic names gateways and controllers share, the value of a signed
 * script package, and the small interface scriptbox puts in front of the MQTT client library.
 */
@Export
@Version("1.1.0")
package org.scriptbox.api.fleet;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
