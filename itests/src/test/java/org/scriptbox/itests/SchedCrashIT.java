package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.scriptbox.itests.ServiceContainers.occurrences;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;

/**
 * At-most-once across a crash, with the real distribution started as the README does and killed with
 * SIGKILL ({@link Process#destroyForcibly}) right after the fires: a {@code once}, the first run of a
 * long interval and one cron slot, all with {@code misfire = "run_once"}, must not run again after the restart. (Before the
 * fire was saved ahead of the run, fire times were saved every 5 s, so a kill within 5 s ran both again.)
 * A one-second canary schedule shows that the restarted scheduler has armed and fired its schedules.
 */
public class SchedCrashIT {
    private static final Duration START_BOUND = Duration.ofSeconds(60);

    private final ServiceContainers containers = new ServiceContainers();

    @After
    public void killLeftovers() {
        containers.close();
    }

    @Test
    public void aOnceAnIntervalSlotAndACronSlotDoNotRunAgainAfterAKillMinus9RightAfterTheirFire() throws Exception {
        Path deploy = Distribution.freshFolder("crash-deploy");
        Path data = Distribution.freshFolder("crash-data");
        Path log = data.resolve("log/scriptbox.log");
        script(deploy, "canary_crash", "kind = \"interval\"\ninterval = \"1s\"", "log_info('canary_crash RAN')\n");
        Process first = containers.launch(deploy, data);
        // The slots are set once the container runs (its canary fired): set before the launch, a start slower
        // than the slots (a loaded CI machine) let the cron slot pass before the script was deployed, and the
        // next slot was a year away.
        Await.until("the canary running in " + log, START_BOUND, () -> occurrences(log, "canary_crash RAN") >= 1, b -> b);
        script(deploy, "once_crash", "kind = \"once\"\nat = " + Instant.now().plusSeconds(3)
                + "\nmisfire = \"run_once\"", "log_info('once_crash RAN')\n");
        script(deploy, "hourly_crash", "kind = \"interval\"\ninterval = \"1h\"\ndelay = \"2s\"\nmisfire = \"run_once\"",
                "log_info('hourly_crash RAN')\n");
        // one cron slot a few seconds from now, the next one a year later (six fields: seconds first)
        java.time.ZonedDateTime slot = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(4);
        script(deploy, "cron_crash", "kind = \"cron\"\ncron = \"" + slot.getSecond() + " " + slot.getMinute() + " "
                + slot.getHour() + " " + slot.getDayOfMonth() + " " + slot.getMonthValue() + " *\"\nzone = \"UTC\""
                + "\nmisfire = \"run_once\"", "log_info('cron_crash RAN')\n");

        Await.until("the three fires in " + log, START_BOUND, () -> occurrences(log, "once_crash RAN") >= 1
                && occurrences(log, "hourly_crash RAN") >= 1 && occurrences(log, "cron_crash RAN") >= 1, b -> b);
        first.destroyForcibly();   // SIGKILL, within milliseconds of the fires
        assertTrue(first.waitFor(20, TimeUnit.SECONDS));
        assertEquals(137, first.exitValue());

        int canaryBefore = occurrences(log, "canary_crash RAN");
        Process second = containers.launch(deploy, data);
        // three canary runs after the restart: the schedules were armed and the misfire policy applied
        Await.until("the canary running again", START_BOUND,
                () -> occurrences(log, "canary_crash RAN") >= canaryBefore + 3, b -> b);
        assertEquals("the once ran once", 1, occurrences(log, "once_crash RAN"));
        assertEquals("the hourly slot ran once", 1, occurrences(log, "hourly_crash RAN"));
        assertEquals("the cron slot ran once", 1, occurrences(log, "cron_crash RAN"));
        second.toHandle().destroy();
        assertTrue(second.waitFor(20, TimeUnit.SECONDS));
    }

    private static void script(Path deploy, String name, String schedule, String lua) throws IOException {
        Files.writeString(deploy.resolve(name + ".toml"), "version = \"1.0.0\"\npermissions = []\n[schedule]\n"
                + schedule + "\n");
        Files.writeString(deploy.resolve(name + ".lua"), lua);
    }

}
