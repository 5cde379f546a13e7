package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.scriptbox.testsupport.await.Until.until;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;
import org.scriptbox.testsupport.mqtt.Mosquitto;
import org.scriptbox.testsupport.pki.TestPki;

/**
 * Issue 18.1 against a real Mosquitto with a TLS listener that requires a client certificate (the CN is the
 * user name) and a listener with a password file: each way of being refused gives one sentence naming the
 * setting, the same reason is logged once however often the link retries, and a refused attempt leaves no
 * Paho thread behind.
 */
public class BrokerRefusalTest {
    private static Path dir;
    private static TestPki pki;
    private static Mosquitto broker;
    private static int tlsPort;
    private static int passwordPort;

    @BeforeClass
    public static void broker() throws Exception {
        Assume.assumeTrue("needs mosquitto and openssl", Mosquitto.installed() && TestPki.available());
        dir = Files.createTempDirectory("broker-refusal");
        pki = TestPki.create(dir.resolve("pki"), "gw2", "right");
        // a TLS listener requiring a client certificate of the PKI's CA, and one requiring a user of its password file
        broker = new Mosquitto(Files.createDirectories(dir.resolve("broker")), pki).start();
        tlsPort = broker.port();
        passwordPort = broker.passwordPort();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }

    private static BrokerSettings tls(String host, String trust, String key) {
        return new BrokerSettings(host, tlsPort, true, trust == null ? "" : pki.file(trust).toString(), TestPki.PASSWORD,
                key == null ? "" : pki.file(key).toString(), TestPki.PASSWORD, "", "", 60,
                Duration.ofMillis(100), Duration.ofMillis(400), 10);
    }

    private static BrokerSettings password(String user, String password) {
        return new BrokerSettings("127.0.0.1", passwordPort, false, "", "", "", "", user, password, 60,
                Duration.ofMillis(100), Duration.ofMillis(400), 10);
    }

    @Test
    public void aClientCertificateOfTheBrokersCaConnects() throws Exception {
        assertConnects(tls("localhost", "ca-trust.p12", "gw1.p12"));
        assertConnects(password("gw2", "right"));
    }

    @Test
    public void noClientCertificate() throws Exception {
        assertRefused(tls("localhost", "ca-trust.p12", null), "the broker requires a client certificate and tls.keystore is empty");
    }

    @Test
    public void aClientCertificateOfAnotherCa() throws Exception {
        assertRefused(tls("localhost", "ca-trust.p12", "stranger.p12"),
                "the broker refused the client certificate in tls.keystore " + pki.file("stranger.p12")
                        + " (CN=stranger, issued by CN=otherca): it does not trust its issuer, or it revoked it");
    }

    @Test
    public void anExpiredClientCertificate() throws Exception {
        assertRefused(tls("localhost", "ca-trust.p12", "old.p12"),
                "the broker refused the client certificate in tls.keystore " + pki.file("old.p12")
                        + " (CN=old, issued by CN=ca): it expired at 2020-01-02T00:00:00Z");
    }

    @Test
    public void aBrokerCertificateOfAnotherCa() throws Exception {
        assertRefused(tls("localhost", "otherca-trust.p12", "gw1.p12"), "the broker's certificate (CN=server, issued by CN=ca) "
                + "is not signed by a CA in tls.truststore " + pki.file("otherca-trust.p12"));
    }

    @Test
    public void aBrokerCertificateForAnotherHost() throws Exception {
        assertRefused(tls("127.0.0.1", "ca-trust.p12", "gw1.p12"),
                "the broker's certificate names [localhost], not broker.host 127.0.0.1");
    }

    @Test
    public void aWrongPassword() throws Exception {
        assertRefused(password("gw2", "wrong"), "the broker did not authorise user name 'gw2' (username, password; the broker's ACL)");
    }

    @Test
    public void tlsToAPlainListener() throws Exception {
        BrokerSettings s = tls("localhost", "ca-trust.p12", "gw1.p12");
        assertRefused(new BrokerSettings(s.host(), passwordPort, true, s.truststore(), s.truststorePassword(), s.keystore(),
                s.keystorePassword(), "", "", 60, s.reconnectMin(), s.reconnectMax(), 10), "(tls = true: is broker.port a TLS listener?)");
    }

    @Test
    public void unreadableStoresAreNamedBeforeAnyConnect() throws Exception {
        BrokerSettings s = tls("localhost", "ca-trust.p12", "gw1.p12");
        try {
            new PahoLink(new BrokerSettings(s.host(), s.port(), true, s.truststore(), s.truststorePassword(), s.keystore(), "nope",
                    "", "", 60, s.reconnectMin(), s.reconnectMax(), 10), "x", null);
            fail("a wrong key store password must be refused");
        } catch (IllegalArgumentException e) {
            assertEquals("tls.keystore " + pki.file("gw1.p12") + ": cannot be opened with tls.keystore.password", e.getMessage());
        }
        try {
            new PahoLink(new BrokerSettings(s.host(), s.port(), true, dir.resolve("missing.p12").toString(), "x", "", "",
                    "", "", 60, s.reconnectMin(), s.reconnectMax(), 10), "x", null);
            fail("a missing trust store must be refused");
        } catch (IllegalArgumentException e) {
            assertEquals("tls.truststore " + dir.resolve("missing.p12") + " does not exist", e.getMessage());
        }
    }

    private static void assertConnects(BrokerSettings s) throws Exception {
        PahoLink link = new PahoLink(s, "ok-" + System.nanoTime(), null).start();
        try {
            until("connected", link::connected, Duration.ofSeconds(15));
        } finally {
            link.close();
        }
    }

    /** At least four attempts, one WARN line with the sentence, nothing else, no Paho thread left over. */
    private static void assertRefused(BrokerSettings s, String sentence) throws Exception {
        long threadsBefore = pahoThreads();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String clientId = "refused-" + System.nanoTime();
        PahoLink link;
        synchronized (BrokerRefusalTest.class) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));   // slf4j-simple writes to System.err
            try {
                link = new PahoLink(s, clientId, null).start();
                long attempts0 = attempts();
                until("4 attempts more", () -> attempts() - attempts0 >= 4, Duration.ofSeconds(20));
                link.close();
            } finally {
                System.setErr(err);
            }
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        err.print(log);
        assertFalse(log, link.connected());
        long lines = log.lines().filter(l -> l.contains("cannot connect")).count();
        assertEquals(log, 1, lines);
        assertTrue(log, log.contains(": " + sentence) || log.contains(sentence));
        assertFalse("no stack trace: " + log, log.contains("\tat ") || log.contains("Exception"));
        until("no Paho thread left", () -> pahoThreads() <= threadsBefore, Duration.ofSeconds(5));
    }

    /** Connection attempts the broker saw (each refused TLS or password attempt logs one of these). */
    private static long attempts() {
        return broker.log().lines()
                .filter(l -> l.contains("New connection from") || l.contains("OpenSSL Error") && l.contains("[0]")).count();
    }

    private static long pahoThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("MQTT")).count();
    }
}
