package org.scriptbox.itests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** The REST itests' common ground: users in the etc folder, the API's address, a logged-in client. */
final class RestTestSupport {
    static final String PASSWORD = "it-password-1234";
    private static final Duration BOUND = Duration.ofSeconds(20);

    private final String base;

    private RestTestSupport(String base) {
        this.base = base;
    }

    String base() {
        return base;
    }

    /** Writes the REST configuration and one user per name -> role, all with {@link #PASSWORD}. */
    static void configure(Path etc, Map<String, String> users, String extraSettings) throws Exception {
        Files.writeString(etc.resolve("org.scriptbox.rest.cfg"),
                Files.readString(Distribution.runtimeHome().resolve("etc/org.scriptbox.rest.cfg")) + "\n" + extraSettings + "\n");
        String hash = hash(PASSWORD);
        StringBuilder text = new StringBuilder();
        users.forEach((name, role) -> text.append(name).append(".role = ").append(role).append('\n')
                .append(name).append(".password = ").append(hash).append('\n'));
        Files.writeString(etc.resolve("org.scriptbox.rest.users.cfg"), text.toString());
    }

    /** PBKDF2 as the REST bundle keeps it (its class is internal): the test makes its own. */
    static String hash(String password) throws Exception {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] h = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, 210_000, 256)).getEncoded();
        return "pbkdf2-sha256$210000$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(h);
    }

    /** Waits until the API answers and {@code user} can log in. */
    static RestTestSupport await(BundleContext context, String user) {
        String base = Await.until("the HTTP runtime's endpoint", BOUND, () -> endpoint(context), e -> e != null) + "api/v1";
        Await.until("the REST API answering with the configured users", BOUND, () -> {
            try {
                return ((RestClient.Answer) RestClient.login(base, user, PASSWORD)[0]).status();
            } catch (Exception e) {
                return -1;
            }
        }, s -> s == 200);
        return new RestTestSupport(base);
    }

    RestClient session(String user) throws Exception {
        Object[] l = RestClient.login(base, user, PASSWORD);
        RestClient.Answer a = (RestClient.Answer) l[0];
        if (a.status() != 200) {
            throw new AssertionError("login of " + user + ": " + a.status() + " " + a.body());
        }
        return (RestClient) l[1];
    }

    /** A new API token of the given role, made by {@code admin}. */
    String token(String admin, String name, String role) throws Exception {
        RestClient.Answer a = session(admin).send("POST", "/tokens", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
        if (a.status() != 201) {
            throw new AssertionError("token: " + a.status() + " " + a.body());
        }
        return a.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
    }

    private static String endpoint(BundleContext context) {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences("org.osgi.service.servlet.runtime.HttpServiceRuntime", null);
            if (refs == null) {
                return null;
            }
            Object p = refs[0].getProperty("osgi.http.endpoint");
            String e = p instanceof String[] a ? a[0] : p instanceof String s ? s
                    : p instanceof java.util.Collection<?> c && !c.isEmpty() ? String.valueOf(c.iterator().next()) : null;
            return e == null || e.contains(":0/") ? null : e;
        } catch (Exception e) {
            return null;
        }
    }
}
