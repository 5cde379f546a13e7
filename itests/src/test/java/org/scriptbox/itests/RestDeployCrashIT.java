package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.scriptbox.itests.ServiceContainers.occurrences;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;

/**
 * REST deploys into the real distribution (started as the README does) killed with SIGKILL in the middle
 * (FINDINGS L1, L2): after the restart the deploy folder holds one whole version (metadata and code of the same
 * version) and that version is live; a SIGKILL while the manager was still compiling a version it then refuses
 * leaves the last good version in the folder and live, never the refused one or nothing. Schedules set or deployed
 * through REST survive the SIGKILL, and a REST-set {@code once} with {@code run_once} that fired before it does not run
 * again.
 */
public class RestDeployCrashIT {
    private static final Duration START_BOUND = Duration.ofSeconds(90);
    private static final Pattern PASSWORD = Pattern.compile("made user '([^']+)' with password (\\S+)");
    private static final Pattern API = Pattern.compile("\\(REST API: (http://\\S+/api/v1)\\)");

    private final ServiceContainers containers = new ServiceContainers();
    private String user;
    private String password;

    @After
    public void killLeftovers() {
        containers.close();
    }

    @Test
    public void aKillMinus9DuringRestDeploysLeavesOneWholeVersionLiveAfterTheRestart() throws Exception {
        Path deploy = Distribution.freshFolder("rest-crash-deploy");
        Path data = Distribution.freshFolder("rest-crash-data");
        containers.launch(deploy, data);
        RestClient api = session(data, 0);
        int rounds = Integer.getInteger("scriptbox.crash.rounds", 0);   // more: random kills during accepted PUTs
        int good = 0;
        for (int round = 0; round <= rounds; round++) {
            for (int k = good + 1; k <= good + 3; k++) {
                assertTrue(api.send("PUT", "/scripts/m", body(k)).status() / 100 == 2);
            }
            good += 3;
            if (round == rounds) {
                break;
            }
            // versions as fast as the API takes them, SIGKILL at a random moment of a write or compile
            AtomicInteger accepted = new AtomicInteger(good);
            Thread deployer = putForever(api, good + 1, accepted);
            Thread.sleep(300 + new java.util.Random(round).nextInt(1500));
            containers.last().destroyForcibly();
            assertTrue(containers.last().waitFor(20, TimeUnit.SECONDS));
            deployer.join(10_000);
            containers.launch(deploy, data);
            api = session(data, containers.count() - 1);
            int live = liveVersion(api);
            assertTrue("the last accepted version " + accepted.get() + " or a later one is live: " + live, live >= accepted.get());
            assertWhole(deploy, live);
            good = live;
        }

        // schedules set through REST come back after a SIGKILL, and a once that fired does not fire again: a one-second
        // interval from a REST-deployed .toml shows the restarted scheduler runs; a REST-set once fires before the kill
        assertEquals(201, api.send("PUT", "/scripts/tick", "{\"source\":\"log_info('tick RAN')\",\"toml\":\"version = \\\"1.0.0\\\"\\n"
                + "[schedule]\\nkind = \\\"interval\\\"\\ninterval = \\\"1s\\\"\\n\"}").status());
        assertEquals(201, api.send("PUT", "/scripts/once", "{\"source\":\"log_info('once RAN')\"}").status());
        RestClient.Answer set = api.send("PUT", "/schedules/once", "{\"kind\":\"ONCE\",\"at\":\"" + java.time.Instant.now().plusSeconds(3)
                + "\",\"misfire\":\"RUN_ONCE\"}");
        assertEquals(set.body(), 200, set.status());
        Path log = data.resolve("log/scriptbox.log");
        Await.until("the REST-set once firing", Duration.ofSeconds(30), () -> occurrences(log, "once RAN"), n -> n >= 1);
        // disabled through REST: stays disabled across the SIGKILL and across a redeploy after it
        assertEquals(201, api.send("PUT", "/scripts/off", "{\"source\":\"log_info('off RAN')\",\"toml\":\"version = \\\"1.0.0\\\"\\n"
                + "[schedule]\\nkind = \\\"interval\\\"\\ninterval = \\\"1s\\\"\\n\"}").status());
        Await.until("off running", Duration.ofSeconds(30), () -> occurrences(log, "off RAN"), n -> n >= 1);
        assertEquals(200, api.send("POST", "/scripts/off/disable", "{}").status());

        // a version the manager refuses after compiling for a while (a long chain of or runs into the 2 s compile
        // bound); SIGKILL while it compiles: before, the folder already held it and the script was gone at restart
        RestClient last = api;
        Thread slow = new Thread(() -> {
            try {
                last.send("PUT", "/scripts/m", "{\"source\":\"return " + "x or ".repeat(150_000) + "x\",\"toml\":\"version = \\\"9.0.0\\\"\\n\"}");
            } catch (Exception e) {
                // the container is gone
            }
        });
        slow.setDaemon(true);
        slow.start();
        Path hidden = deploy.resolve(".m.prepared");
        Await.until("the refused version written beside m's files", Duration.ofSeconds(30), () -> Files.exists(hidden), b -> b);
        Process victim = containers.last();
        victim.destroyForcibly();
        assertTrue(victim.waitFor(20, TimeUnit.SECONDS));
        assertEquals(137, victim.exitValue());
        String lua = Files.readString(deploy.resolve("m.lua"));
        assertEquals("the folder still holds the good version", good, versionOf(lua));

        containers.launch(deploy, data);
        RestClient again = session(data, containers.count() - 1);
        assertEquals(good, liveVersion(again));
        assertWhole(deploy, good);
        assertTrue("the log names the dropped write", occurrences(log, "dropped an unfinished write of m") >= 1);
        int ticks = occurrences(log, "tick RAN");
        Await.until("the REST-deployed interval running after the restart", START_BOUND, () -> occurrences(log, "tick RAN"), n -> n >= ticks + 3);
        assertEquals("the REST-set once ran once", 1, occurrences(log, "once RAN"));
        RestClient.Answer off = again.get("/scripts/off");
        assertTrue(off.body(), off.body().contains("\"status\":\"DISABLED\""));
        assertEquals(200, again.send("PUT", "/scripts/off", "{\"source\":\"log_info('off RAN') -- 2\",\"toml\":\"version = \\\"1.0.1\\\"\\n"
                + "[schedule]\\nkind = \\\"interval\\\"\\ninterval = \\\"1s\\\"\\n\"}").status());
        int offRuns = occurrences(log, "off RAN");
        int ticksNow = occurrences(log, "tick RAN");
        Await.until("three more ticks", START_BOUND, () -> occurrences(log, "tick RAN"), n -> n >= ticksNow + 3);
        assertTrue(again.get("/scripts/off").body().contains("\"status\":\"DISABLED\""));
        assertEquals("a disabled script stays disabled across a SIGKILL and a redeploy", offRuns, occurrences(log, "off RAN"));
        assertTrue("no hidden files left", !Files.exists(hidden) && !Files.exists(deploy.resolve(".m.lua.pending")));
        containers.last().toHandle().destroy();
        assertTrue(containers.last().waitFor(20, TimeUnit.SECONDS));
    }

    private static Thread putForever(RestClient api, int from, AtomicInteger accepted) {
        Thread t = new Thread(() -> {
            try {
                for (int k = from; ; k++) {
                    if (api.send("PUT", "/scripts/m", body(k)).status() == 200) {
                        accepted.set(k);
                    }
                }
            } catch (Exception e) {
                // the container is gone
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The live version of m once it is live (COMPILED), checked to run the code of its own version. */
    private static int liveVersion(RestClient c) {
        RestClient.Answer m = Await.until("m live", START_BOUND, () -> get(c, "/scripts/m"),
                a -> a.status() == 200 && a.body().contains("\"status\":\"COMPILED\""));
        Matcher v = Pattern.compile("\"version\":\"1\\.0\\.(\\d+)\"").matcher(m.body());
        assertTrue(m.body().length() > 400 ? m.body().substring(0, 400) : m.body(), v.find());
        int version = Integer.parseInt(v.group(1));
        assertTrue("its code is that version's", m.body().contains("return " + version));
        return version;
    }

    /** The folder's m.lua and m.toml are the same version. */
    private static void assertWhole(Path deploy, int version) throws IOException {
        assertEquals(version, versionOf(Files.readString(deploy.resolve("m.lua"))));
        String toml = Files.readString(deploy.resolve("m.toml"));
        assertTrue("m.toml is version 1.0." + version + " like m.lua:\n" + toml, toml.contains("version = \"1.0." + version + "\""));
    }

    private static RestClient.Answer get(RestClient c, String path) {
        try {
            return c.get(path);
        } catch (Exception e) {
            return new RestClient.Answer(-1, String.valueOf(e), java.util.Map.of());
        }
    }

    private static String body(int k) {
        String source = "-- " + "v".repeat(600_000) + "\\nreturn " + k + "\\n";
        return "{\"source\":\"" + source + "\",\"toml\":\"version = \\\"1.0." + k + "\\\"\\npermissions = []\\n\"}";
    }

    private static int versionOf(String lua) {
        Matcher m = Pattern.compile("return (\\d+)").matcher(lua);
        assertTrue(lua.length() > 200 ? lua.substring(lua.length() - 200) : lua, m.find());
        return Integer.parseInt(m.group(1));
    }

    /** Logs in as the generated admin (its password is printed on the first start's console only). */
    private RestClient session(Path data, int run) throws Exception {
        Path console = data.resolve("console-" + run + ".txt");
        String base = Await.until("the REST API line in " + console, START_BOUND, () -> find(console, API), s -> s != null);
        if (user == null) {
            String line = Await.until("the generated admin in " + console, START_BOUND, () -> find(console, PASSWORD), s -> s != null);
            Matcher m = PASSWORD.matcher(line);
            assertTrue(m.find());
            user = m.group(1);
            password = m.group(2);
        }
        return Await.until("a login", START_BOUND, () -> {
            try {
                return (RestClient) RestClient.login(base, user, password)[1];
            } catch (Exception e) {
                return null;
            }
        }, c -> c != null);
    }

    private static String find(Path console, Pattern p) {
        try {
            if (!Files.exists(console)) {
                return null;
            }
            Matcher m = p.matcher(new String(Files.readAllBytes(console), StandardCharsets.UTF_8));
            return !m.find() ? null : p == API ? m.group(1) : m.group();
        } catch (IOException e) {
            return null;
        }
    }

}
