package org.scriptbox.fleet.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The settings of a gateway (PID {@code org.scriptbox.fleet}) and of a controller
 * (PID {@code org.scriptbox.fleet.controller}): the broker settings are the same for both. Each component
 * is off until its configuration exists (etc/org.scriptbox.fleet.cfg, etc/org.scriptbox.fleet.controller.cfg).
 */
@ObjectClassDefinition(name = "scriptbox fleet", description = "MQTT broker, identity and trusted package keys")
@interface FleetConfig {
    String GATEWAY_PID = "org.scriptbox.fleet";
    String CONTROLLER_PID = "org.scriptbox.fleet.controller";

    @AttributeDefinition(description = "broker host name or address")
    String broker_host() default "127.0.0.1";

    @AttributeDefinition(description = "broker port (1883 plain, 8883 TLS by convention)")
    int broker_port() default 1883;

    @AttributeDefinition(description = "connect with TLS")
    boolean tls() default false;

    @AttributeDefinition(description = "PKCS12 trust store with the broker's CA (TLS); empty: the JDK's")
    String tls_truststore() default "";

    @AttributeDefinition(description = "password of the trust store", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String tls_truststore_password() default "";

    @AttributeDefinition(description = "PKCS12 key store with this client's certificate and key (TLS client certificate); empty: none")
    String tls_keystore() default "";

    @AttributeDefinition(description = "password of the key store", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String tls_keystore_password() default "";

    @AttributeDefinition(description = "MQTT user name; empty: none")
    String username() default "";

    @AttributeDefinition(description = "MQTT password", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String password() default "";

    @AttributeDefinition(description = "the fleet: the second topic level")
    String fleet_id() default "default";

    @AttributeDefinition(description = "this gateway's id: the third topic level (gateway only)")
    String gateway_id() default "";

    @AttributeDefinition(description = "groups this gateway belongs to; packages for other groups are refused (gateway only)")
    String[] groups() default {};

    @AttributeDefinition(description = "trusted package keys, each name=base64 of the Ed25519 public key (X.509 form); "
            + "packages signed by any other key are refused (gateway only)")
    String[] trusted_keys() default {};

    @AttributeDefinition(description = "controller keys, each name=base64 of the Ed25519 public key (X.509 form); when set, "
            + "this gateway takes only requests signed by one of them (gateway only)")
    String[] controller_keys() default {};

    @AttributeDefinition(description = "with controller.keys: a signed request is taken only if its controller's time "
            + "(its sequence number) is within this many seconds of this gateway's clock, either way; 0: no check (gateway only)")
    long controller_clock_window_seconds() default 600;

    @AttributeDefinition(description = "PEM file of this gateway's own Ed25519 key, with which it signs its births, statuses, "
            + "events and answers; empty: a key made at the first start and kept in the data area (gateway only)")
    String gateway_key() default "";

    @AttributeDefinition(description = "gateway keys, each gateway-id=base64 of its Ed25519 public key (fleet:identity on the "
            + "gateway prints it); when set, this controller takes births, statuses and answers only when signed by that "
            + "gateway's key (controller only)")
    String[] gateway_keys() default {};

    @AttributeDefinition(description = "with gateway.keys: a gateway's message signed more than this many seconds ahead of "
            + "this controller's clock is dropped; 0: no check (controller only)")
    long gateway_clock_window_seconds() default 600;

    @AttributeDefinition(description = "PEM file of this controller's Ed25519 key (fleet:keygen writes one); when set, every "
            + "request is signed with it under the controller's id (controller only)")
    String controller_key() default "";

    @AttributeDefinition(description = "this controller's id (controller only)")
    String controller_id() default "controller";

    @AttributeDefinition(description = "how long the broker keeps this client's session (queued requests) while it is away, seconds")
    long session_expiry_seconds() default 7 * 24 * 3600;

    @AttributeDefinition(description = "first wait before a reconnect, ms; doubles up to the maximum")
    long reconnect_min_ms() default 500;

    @AttributeDefinition(description = "longest wait between reconnects, ms")
    long reconnect_max_ms() default 30_000;

    @AttributeDefinition(description = "MQTT keep-alive, seconds: the broker publishes the death message this long (x1.5) after a silent loss")
    int keepalive_seconds() default 30;

    @AttributeDefinition(description = "status updates within this many ms are sent as one (gateway only)")
    long status_coalesce_ms() default 200;

    @AttributeDefinition(description = "run events published per second at most; the rest are counted in the next event's notSentBefore (gateway only)")
    int events_per_second() default 20;

    @AttributeDefinition(description = "largest signed package accepted, bytes (gateway only)")
    int max_package_bytes() default 8 * 1024 * 1024;

    @AttributeDefinition(description = "opt-in telemetry: device/channel or device/* entries, comma-separated, at most 64; "
            + "empty: none (gateway only)")
    String[] telemetry_channels() default {};

    @AttributeDefinition(description = "telemetry: one message per device this often, ms (at least 1000) (gateway only)")
    long telemetry_interval_ms() default 10_000;

    @AttributeDefinition(description = "a device whose status probes fail (unreachable, no answer) for this many ms makes the "
            + "gateway's health degraded; negative: devices do not count toward health (gateway only)")
    long device_fault_ms() default 30_000;

    @AttributeDefinition(description = "each device's status is probed this often, ms (at least 200) (gateway only)")
    long device_probe_ms() default 5_000;

    @AttributeDefinition(description = "how long a controller waits for a gateway's answer, seconds (controller only)")
    int request_timeout_seconds() default 30;

    @AttributeDefinition(description = "finished rollouts (completed, halted, rolled back) kept per group, memory and files, "
            + "at least 1; older ones are deleted, unfinished ones always kept (controller only)")
    int rollouts_kept() default 20;
}
