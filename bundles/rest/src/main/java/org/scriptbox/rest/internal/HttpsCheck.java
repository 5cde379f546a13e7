package org.scriptbox.rest.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Optional;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.scriptbox.api.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the TLS settings of Felix HTTP ({@code etc/org.apache.felix.http.cfg}) whenever they change, the way
 * Jetty will use them: the keystore file, its type, its password and the key's. Jetty answers a bad one with
 * several ERROR lines and Java stack traces (kept in the log file, its logger sends nothing to the console); the
 * operator reads one sentence naming the setting to fix, on the console and in the log. Jetty then serves
 * nothing at all (no plain HTTP either when it is off), and the start line's URL is not printed.
 */
@Component(service = ConfigurationListener.class)
public final class HttpsCheck implements ConfigurationListener {
    static final String PID = "org.apache.felix.http";
    private static final Logger LOG = LoggerFactory.getLogger(HttpsCheck.class);

    private final ConfigurationAdmin configs;
    private volatile String lastProblem;

    @Activate
    public HttpsCheck(@Reference ConfigurationAdmin configs) {
        this.configs = configs;
        check();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (PID.equals(event.getPid())) {
            check();
        }
    }

    private void check() {
        Optional<String> problem;
        try {
            Configuration[] found = configs.listConfigurations("(service.pid=" + PID + ")");
            problem = found == null || found.length == 0 ? Optional.empty() : problem(found[0].getProperties());
        } catch (IOException | InvalidSyntaxException e) {
            problem = Optional.empty();   // nothing to read: Jetty's own defaults (no TLS)
        }
        String text = problem.map(p -> "HTTPS: " + p + "; TLS is not served until it is fixed in etc/"
                + PID + ".cfg").orElse(null);
        if (text != null && !text.equals(lastProblem)) {
            LOG.error(text);   // the console shows it (and the log file keeps it), one line
        }
        lastProblem = text;
    }

    /** What is wrong with the TLS settings, in words; empty when TLS is off or its keystore opens. */
    static Optional<String> problem(Dictionary<String, Object> p) {
        if (p == null || !"true".equalsIgnoreCase(String.valueOf(p.get("org.apache.felix.https.enable")).trim())) {
            return Optional.empty();
        }
        Object file = p.get("org.apache.felix.https.keystore");
        if (file == null || String.valueOf(file).isBlank()) {
            return Optional.of("org.apache.felix.https.enable is true but no keystore is set (org.apache.felix.https.keystore)");
        }
        Path path = Path.of(String.valueOf(file).trim());
        String where = "the keystore " + SafeText.line(path.toString());
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            return Optional.of(where + " is not a readable file (org.apache.felix.https.keystore)");
        }
        String type = text(p.get("org.apache.felix.https.keystore.type"), KeyStore.getDefaultType());
        char[] password = text(p.get("org.apache.felix.https.keystore.password"), "").toCharArray();
        char[] keyPassword = text(p.get("org.apache.felix.https.keystore.key.password"), new String(password)).toCharArray();
        KeyStore ks;
        try {
            ks = KeyStore.getInstance(type);
        } catch (KeyStoreException e) {
            return Optional.of("the keystore type '" + SafeText.line(type) + "' is not known (org.apache.felix.https.keystore.type:"
                    + " PKCS12 or JKS)");
        }
        try (InputStream in = Files.newInputStream(path)) {
            ks.load(in, password);
        } catch (IOException e) {
            return Optional.of(e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")
                    ? where + " does not open with its password (org.apache.felix.https.keystore.password)"
                    : where + " cannot be read as " + SafeText.line(type) + " (org.apache.felix.https.keystore.type)");
        } catch (GeneralSecurityException e) {
            return Optional.of(where + " cannot be read as " + SafeText.line(type) + " (org.apache.felix.https.keystore.type)");
        }
        try {
            boolean anyKey = false;
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    anyKey = true;
                    ks.getKey(alias, keyPassword);
                }
            }
            return anyKey ? Optional.empty() : Optional.of(where + " holds no private key with a certificate");
        } catch (UnrecoverableKeyException e) {
            return Optional.of("the key in " + SafeText.line(path.toString())
                    + " does not open with its password (org.apache.felix.https.keystore.key.password)");
        } catch (GeneralSecurityException e) {
            return Optional.of(where + " cannot be read as " + SafeText.line(type) + " (org.apache.felix.https.keystore.type)");
        }
    }

    private static String text(Object v, String dflt) {
        return v == null || String.valueOf(v).isEmpty() ? dflt : String.valueOf(v);
    }
}
