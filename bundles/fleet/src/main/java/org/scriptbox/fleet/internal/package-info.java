/** Fleet management over MQTT 5: the gateway, the controller, the Paho link and signed packages. */
package org.scriptbox.fleet.internal;
