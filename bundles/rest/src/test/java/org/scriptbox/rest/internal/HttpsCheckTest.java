package org.scriptbox.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Optional;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** HttpsCheck against real keystores made by the JDK's keytool. */
public class HttpsCheckTest {
    @ClassRule
    public static final TemporaryFolder DIR = new TemporaryFolder();
    private static Path store;

    @BeforeClass
    public static void makeKeystore() throws Exception {
        store = DIR.getRoot().toPath().resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "s", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "right-pass", "-keypass", "right-pass")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
    }

    private static Optional<String> check(String file, String type, String password) {
        Hashtable<String, Object> c = new Hashtable<>();
        c.put("org.apache.felix.https.enable", "true");
        if (file != null) {
            c.put("org.apache.felix.https.keystore", file);
        }
        if (type != null) {
            c.put("org.apache.felix.https.keystore.type", type);
        }
        c.put("org.apache.felix.https.keystore.password", password);
        return HttpsCheck.problem(c);
    }

    @Test
    public void aGoodKeystoreOrTlsOffIsNoProblem() {
        assertEquals(Optional.empty(), check(store.toString(), "PKCS12", "right-pass"));
        assertEquals(Optional.empty(), HttpsCheck.problem(new Hashtable<>()));
        assertEquals(Optional.empty(), HttpsCheck.problem(null));
    }

    @Test
    public void eachMistakeIsOneSentenceNamingTheSetting() throws Exception {
        Path garbage = DIR.newFile("garbage.p12").toPath();
        Files.writeString(garbage, "not a keystore");
        String[][] cases = {
            {store.toString(), "PKCS12", "wrong", "does not open with its password (org.apache.felix.https.keystore.password)"},
            {store + ".missing", "PKCS12", "right-pass", "is not a readable file (org.apache.felix.https.keystore)"},
            {null, "PKCS12", "right-pass", "no keystore is set (org.apache.felix.https.keystore)"},
            {store.toString(), "NOPE", "right-pass", "type 'NOPE' is not known (org.apache.felix.https.keystore.type"},
            {garbage.toString(), "PKCS12", "right-pass", "cannot be read as PKCS12 (org.apache.felix.https.keystore.type)"}};
        for (String[] c : cases) {
            String p = check(c[0], c[1], c[2]).orElseThrow(() -> new AssertionError("no problem found for " + c[0]));
            assertTrue(p, p.contains(c[3]));
            assertTrue(p, !p.contains("Exception") && !p.contains("\n"));
        }
    }
}
