package org.scriptbox.fleet.internal;

import java.nio.file.Files;

import org.junit.rules.ExternalResource;
import org.scriptbox.testsupport.mqtt.Mosquitto;

/**
 * A real Mosquitto for one test class ({@code @ClassRule}), started on a loopback port when it is installed; the
 * broker tests skip themselves without it ({@link #running}), the others still run.
 */
final class TestBroker extends ExternalResource {
    private final String name;
    private Mosquitto broker;

    TestBroker(String name) {
        this.name = name;
    }

    @Override
    protected void before() throws Throwable {
        if (Mosquitto.installed()) {
            broker = new Mosquitto(Files.createTempDirectory(name)).start();
        }
    }

    @Override
    protected void after() {
        if (broker != null) {
            try {
                broker.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean running() {
        return broker != null;
    }

    int port() {
        return broker.port();
    }
}
