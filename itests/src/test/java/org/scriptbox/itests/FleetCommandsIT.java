package org.scriptbox.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.scriptbox.testsupport.mqtt.Mosquitto;

/**
 * The controller's {@code fleet:*} Gogo commands in the real container, which is also a gateway of the same
 * fleet (both configured by dropping their .cfg files into etc, as an operator does): keygen, sign, deploy
 * in stages, rollouts, gateways, request; mistakes answered in one sentence.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FleetCommandsIT {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return new Option[] {Distribution.container(Distribution.freshFolder("etc"),
                Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    private String shell(String command) throws Exception {
        return Shell.execute(context, command);
    }

    @Test
    public void keygenSignDeployAndWatchARolloutFromTheShell() throws Exception {
        Assume.assumeTrue("needs Eclipse Mosquitto", Mosquitto.installed());
        Path work = Distribution.freshFolder("fleet-commands");
        try (Mosquitto broker = new Mosquitto(Files.createDirectories(work.resolve("broker"))).start()) {
            Path etc = Paths.get(context.getProperty("felix.fileinstall.dir"));
            String common = "broker.host = 127.0.0.1\nbroker.port = " + broker.port() + "\nfleet.id = plant\n";
            Files.writeString(etc.resolve("org.scriptbox.fleet.controller.cfg"), common + "controller.id = ctl\n");
            String keygen = Await.until("the fleet commands", BOUND, () -> {
                try {
                    return shell("fleet:keygen " + work.resolve("ops.pem") + " --name ops");
                } catch (Exception e) {
                    return e.getMessage();   // Command not found: until the controller is configured
                }
            }, out -> out != null && out.contains("trusted.keys entry"));
            Matcher key = Pattern.compile("ops=[A-Za-z0-9+/=]+").matcher(keygen);
            assertTrue(keygen, key.find());
            Files.writeString(etc.resolve("org.scriptbox.fleet.cfg"), common + "gateway.id = self\ngroups = g1\n"
                    + "trusted.keys = " + key.group() + "\n");
            Await.until("the gateway online in fleet:gateways", BOUND, () -> {
                try {
                    return shell("fleet:gateways");
                } catch (Exception e) {
                    return "";
                }
            }, out -> out.contains("self") && out.contains("online"));
            // enrolment (session 9): the gateway's own key, made at its first start, and what its birth presented
            String identity = shell("fleet:identity");
            Matcher own = Pattern.compile("self=[A-Za-z0-9+/=]+").matcher(identity);
            assertTrue(identity, own.find() && identity.contains("gateway.keys"));
            String keys = shell("fleet:keys");
            assertTrue(keys, keys.contains("gateway.keys = " + own.group()) && keys.contains("NOT verified"));

            Path pkg = Files.createDirectories(work.resolve("pkg"));
            Files.writeString(pkg.resolve("hello.lua"), "return 'hi from the fleet'\n");
            Files.writeString(pkg.resolve("hello.toml"), "name = \"hello\"\nversion = \"1.0.0\"\n");
            String signed = shell("fleet:sign --key " + work.resolve("ops.pem") + " --signer ops --group g1 --version 1"
                    + " --health hello " + pkg + " " + work.resolve("p1.json"));
            assertTrue(signed, signed.contains("package version 1 for group g1 (1 scripts) signed by ops"));
            assertTrue("the package file carries its revocation", Files.readString(work.resolve("p1.json")).contains("\"revocation\""));

            String started = shell("fleet:deploy " + work.resolve("p1.json") + " --stages 1,all");
            Matcher id = Pattern.compile("rollout (\\S+) started").matcher(started);
            assertTrue(started, id.find());
            String rollout = Await.until("the rollout completed", BOUND, () -> {
                try {
                    return shell("fleet:rollouts " + id.group(1));
                } catch (Exception e) {
                    return "";
                }
            }, out -> out.contains("COMPLETED"));
            assertTrue(rollout, rollout.contains("self") && rollout.contains("APPLIED"));

            String run = shell("fleet:request self run '{\"script\":\"hello\"}'");
            assertTrue(run, run.contains("\"status\" : \"COMPLETED\"") && run.contains("hi from the fleet"));
            Await.until("the package in fleet:gateways", BOUND, () -> {
                try {
                    return shell("fleet:gateways");
                } catch (Exception e) {
                    return "";
                }
            }, out -> out.matches("(?s).*self\\s+online\\s+ok\\s+1\\s+g1\\s+g1: 1 APPLIED.*"));   // per group: version and state

            String mistake = shell("fleet:deploy");   // the shell's mechanism: one line with the synopsis
            assertTrue(mistake, mistake.startsWith("fleet:deploy: ") && mistake.contains("; usage: fleet:deploy")
                    && !mistake.contains("\n") && !mistake.contains("Exception"));
            String help = shell("fleet:deploy --help");
            assertTrue(help, help.contains("--max-failure-rate") && help.contains("--stages"));
            Files.writeString(work.resolve("not-a-key.pem"), "hello");
            String badKey = shell("fleet:sign --key " + work.resolve("not-a-key.pem") + " --signer ops --group g1 --version 2 "
                    + pkg + " " + work.resolve("p2.json"));
            assertTrue(badKey, badKey.startsWith("fleet:sign: not an Ed25519 private key (PEM, PKCS#8); usage: fleet:sign"));
            assertFalse(badKey, badKey.contains("Exception"));
        }
    }
}
