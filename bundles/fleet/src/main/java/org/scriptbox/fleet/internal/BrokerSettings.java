package org.scriptbox.fleet.internal;

import java.time.Duration;

/**
 * Where and how to connect, immutable (from {@link FleetConfig}, or built by a test or the CLI).
 */
record BrokerSettings(String host, int port, boolean tls, String truststore, String truststorePassword,
                      String keystore, String keystorePassword, String username, String password,
                      long sessionExpirySeconds, Duration reconnectMin, Duration reconnectMax, int keepAliveSeconds) {

    static BrokerSettings of(FleetConfig c) {
        return new BrokerSettings(c.broker_host(), c.broker_port(), c.tls(), c.tls_truststore(),
                c.tls_truststore_password(), c.tls_keystore(), c.tls_keystore_password(), c.username(), c.password(),
                c.session_expiry_seconds(), Duration.ofMillis(c.reconnect_min_ms()), Duration.ofMillis(c.reconnect_max_ms()),
                c.keepalive_seconds());
    }

    /** Plain TCP, no credentials (tests, a broker on loopback). */
    static BrokerSettings plain(String host, int port) {
        return new BrokerSettings(host, port, false, "", "", "", "", "", "", 7 * 24 * 3600,
                Duration.ofMillis(200), Duration.ofSeconds(5), 10);
    }

    String uri() {
        return (tls ? "ssl://" : "tcp://") + host + ":" + port;
    }

    @Override
    public String toString() {   // never the passwords
        return uri() + (username.isEmpty() ? "" : " as " + username);
    }
}
