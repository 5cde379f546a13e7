package org.scriptbox.testsupport.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI made with the openssl and keytool commands: a CA, a second CA nobody trusts, a broker
 * certificate for DNS name localhost, client certificates (good, from the other CA, expired in 2020) as
 * PKCS12 key stores, trust stores for each CA, and a Mosquitto password file. Store passwords: {@link #PASSWORD}.
 */
public final class TestPki {
    public static final String PASSWORD = "changeit";
    public final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
    }

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/openssl")) && Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd"));
    }

    public static TestPki create(Path dir, String... passwordUsers) throws IOException, InterruptedException {
        TestPki p = new TestPki(Files.createDirectories(dir));
        p.ca("ca");
        p.ca("otherca");
        p.leaf("server", "ca", "DNS:localhost");
        p.leaf("gw1", "ca", "DNS:gw1");
        p.leaf("stranger", "otherca", "DNS:stranger");
        p.expired("old", "ca");
        for (String n : List.of("gw1", "stranger", "old")) {
            p.run("openssl", "pkcs12", "-export", "-in", n + ".crt", "-inkey", n + ".key", "-out", n + ".p12",
                    "-passout", "pass:" + PASSWORD, "-name", n);
        }
        for (String ca : List.of("ca", "otherca")) {
            p.run("keytool", "-importcert", "-noprompt", "-alias", ca, "-file", ca + ".crt", "-keystore", ca + "-trust.p12",
                    "-storetype", "PKCS12", "-storepass", PASSWORD);
        }
        for (int i = 0; i + 1 < passwordUsers.length; i += 2) {
            List<String> cmd = new ArrayList<>(List.of("mosquitto_passwd", "-b"));
            if (i == 0) {
                cmd.add("-c");
            }
            cmd.addAll(List.of("passwd", passwordUsers[i], passwordUsers[i + 1]));
            p.run(cmd.toArray(new String[0]));
        }
        return p;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    private void ca(String name) throws IOException, InterruptedException {
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".crt",
                "-days", "2", "-subj", "/CN=" + name);
    }

    private void leaf(String name, String ca, String san) throws IOException, InterruptedException {
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\nbasicConstraints=CA:FALSE\n");
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    /** openssl x509 cannot date a certificate in the past; openssl ca can. */
    private void expired(String name, String ca) throws IOException, InterruptedException {
        Path db = Files.createDirectories(dir.resolve("caDB"));
        Files.writeString(db.resolve("index.txt"), "");
        Files.writeString(db.resolve("serial"), "1000\n");
        Files.writeString(dir.resolve("ca.cnf"), String.join("\n", "[ca]", "default_ca=c", "[c]", "database=caDB/index.txt",
                "serial=caDB/serial", "new_certs_dir=caDB", "default_md=sha256", "policy=p", "unique_subject=no",
                "[p]", "commonName=supplied", ""));
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        run("openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", ca + ".crt", "-keyfile", ca + ".key", "-in", name + ".csr",
                "-out", name + ".crt", "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-notext");
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
