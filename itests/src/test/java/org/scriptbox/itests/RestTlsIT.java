package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The console and the REST API over TLS, configured as docs/operations.md says (etc/org.apache.felix.http.cfg:
 * HTTPS on with a keystore, plain HTTP off), with a keystore the test makes with the JDK's keytool: the session
 * cookie is Secure, nothing answers plain HTTP, and a keystore password that is wrong gives one clear line (no
 * stack trace) and no server at all, until it is put right.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RestTlsIT {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final String STORE_PASSWORD = "it-store-pass-1";
    private static final String HTTP_PID = "org.apache.felix.http";

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configs;

    @Configuration
    public Option[] config() throws Exception {
        Path etc = Distribution.etcWatchingDeployFolder();
        Path keystore = Distribution.freshFolder("tls").resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "scriptbox", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        Files.writeString(etc.resolve(HTTP_PID + ".cfg"), String.join("\n",
                "org.apache.felix.http.host = 127.0.0.1",
                "org.apache.felix.http.enable = false",
                "org.apache.felix.https.enable = true",
                "org.osgi.service.http.port.secure = 0",
                "org.apache.felix.https.keystore = " + keystore,
                "org.apache.felix.https.keystore.type = PKCS12",
                "org.apache.felix.https.keystore.password = " + STORE_PASSWORD,
                "org.apache.felix.https.keystore.key.password = " + STORE_PASSWORD, ""));
        RestTestSupport.configure(etc, Map.of("admin", "admin"), "");
        // the runtime's logging: the container's log file, Felix HTTP's own errors into it only
        Files.copy(Distribution.runtimeHome().resolve("etc/org.ops4j.pax.logging.cfg"), etc.resolve("org.ops4j.pax.logging.cfg"));
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    private Dictionary<String, Object> httpConfig() throws Exception {
        org.osgi.service.cm.Configuration[] found = configs.listConfigurations("(service.pid=" + HTTP_PID + ")");
        return found[0].getProperties();
    }

    private List<String> endpoints() {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences("org.osgi.service.servlet.runtime.HttpServiceRuntime", null);
            if (refs == null) {
                return List.of();
            }
            Object p = refs[0].getProperty("osgi.http.endpoint");
            List<String> all = p instanceof String[] a ? Arrays.asList(a) : p instanceof String s ? List.of(s)
                    : p instanceof java.util.Collection<?> c ? c.stream().map(String::valueOf).toList() : List.of();
            return all.stream().filter(e -> !e.contains(":0/")).toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    private HttpClient trusting() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(String.valueOf(httpConfig().get("org.apache.felix.https.keystore"))))) {
            ks.load(in, STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpResponse<String> login(HttpClient http, String endpoint) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(endpoint + "api/v1/session")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"admin\",\"password\":\"" + RestTestSupport.PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private String awaitTls(HttpClient http) {
        String endpoint = Await.until("an https endpoint", BOUND, () -> endpoints().isEmpty() ? null : endpoints().get(0),
                e -> e != null);
        Await.until("a login over TLS", BOUND, () -> {
            try {
                return login(http, endpoint).statusCode();
            } catch (Exception e) {
                return -1;
            }
        }, s -> s == 200);
        return endpoint;
    }

    @Test
    public void servesOverTlsOnlyAndTheSessionCookieIsSecure() throws Exception {
        HttpClient http = trusting();
        String endpoint = awaitTls(http);
        assertTrue(endpoints().toString(), endpoints().stream().allMatch(e -> e.startsWith("https://127.0.0.1:")));
        HttpResponse<String> in = login(http, endpoint);
        String cookie = in.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(cookie, cookie.startsWith("SB_SESSION=") && cookie.contains("; Secure") && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict"));
        HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(endpoint + "api/v1/session"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(me.body(), 200, me.statusCode());
        assertTrue(me.body(), me.body().contains("\"via\":\"cookie\""));
        // plain HTTP: not on the TLS port, and no plain endpoint at all
        String plain = endpoint.replace("https://", "http://");
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(plain + "api/v1/session"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("plain HTTP answered on the TLS port: " + r.statusCode() + " " + r.body());
        } catch (java.io.IOException expected) {
            // not spoken there
        }
    }

    @Test
    public void aWrongKeystorePasswordIsOneClearLineAndServesNothing() throws Exception {
        HttpClient http = trusting();
        String endpoint = awaitTls(http);
        org.osgi.service.cm.Configuration c = configs.listConfigurations("(service.pid=" + HTTP_PID + ")")[0];
        Dictionary<String, Object> good = c.getProperties();
        Hashtable<String, Object> bad = new Hashtable<>();
        for (Enumeration<String> k = good.keys(); k.hasMoreElements(); ) {
            String key = k.nextElement();
            bad.put(key, good.get(key));
        }
        bad.put("org.apache.felix.https.keystore.password", "not-the-password");
        bad.put("org.apache.felix.https.keystore.key.password", "not-the-password");
        c.update(bad);
        try {
            String expected = "HTTPS: the keystore " + good.get("org.apache.felix.https.keystore")
                    + " does not open with its password (org.apache.felix.https.keystore.password); TLS is not served until it"
                    + " is fixed in etc/org.apache.felix.http.cfg";
            List<String> ours = Await.until("the one HTTPS line in the log", BOUND,
                    () -> ContainerLog.lines(context).stream().filter(l -> l.contains("HTTPS: ")).toList(), l -> !l.isEmpty());
            assertEquals(ours.toString(), 1, ours.size());
            assertTrue(ours.get(0), ours.get(0).endsWith(expected) && !ours.get(0).contains("Exception") && !ours.get(0).contains("\tat "));
            Await.until("nothing served on " + endpoint, BOUND, () -> {
                try {
                    login(http, endpoint);
                    return false;
                } catch (Exception refused) {
                    return true;
                }
            }, Boolean::booleanValue);
            assertEquals("no endpoint while the keystore does not open", List.of(), endpoints());
        } finally {
            c.update(good);
        }
        awaitTls(http);   // the right password serves again
    }
}
