package org.scriptbox.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.time.Instant;

import org.junit.Test;
import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;

public class SchedSpecTextTest {

    private static ScheduleSpec parse(String... words) {
        return SchedSpecText.parse(words, null, null);
    }

    @Test
    public void everyWithOptionalFirstDelay() {
        ScheduleSpec s = parse("every", "5s");
        assertEquals(ScheduleSpec.Kind.INTERVAL, s.kind());
        assertEquals(Duration.ofSeconds(5), s.interval());
        assertNull(s.delay());
        assertEquals(Duration.ofMillis(250), parse("every", "1m", "after", "250ms").delay());
        assertEquals("every 1m after 250ms", SchedSpecText.describe(parse("every", "1m", "after", "250ms")));
    }

    @Test
    public void cronQuotedOrUnquotedWithZone() {
        ScheduleSpec quoted = parse("cron", "0 8 * * MON-FRI", "Europe/Berlin");
        assertEquals("0 8 * * MON-FRI", quoted.cron());
        assertEquals("Europe/Berlin", quoted.zone());
        ScheduleSpec unquoted = parse("cron", "*/5", "*", "*", "*", "*");
        assertEquals("*/5 * * * *", unquoted.cron());
        assertNull(unquoted.zone());
        ScheduleSpec zoned = parse("cron", "0", "8", "*", "*", "*", "UTC");
        assertEquals("0 8 * * *", zoned.cron());
        assertEquals("UTC", zoned.zone());
        assertEquals("@hourly", parse("cron", "@hourly").cron());
    }

    @Test
    public void onceAtATimeOrAfterADelay() {
        assertEquals(Instant.parse("2026-12-01T08:00:00Z"), parse("once", "2026-12-01T08:00:00Z").at());
        assertEquals(Instant.parse("2026-12-01T08:00:00Z"), parse("once", "2026-12-01T09:00:00+01:00").at());
        assertEquals(Duration.ofSeconds(30), parse("once", "30s").delay());
    }

    @Test
    public void policiesAreParsed() {
        ScheduleSpec s = SchedSpecText.parse(new String[] {"every", "1h"}, "queue", "run-once");
        assertEquals(OverlapPolicy.QUEUE, s.overlap());
        assertEquals(MisfirePolicy.RUN_ONCE, s.misfire());
    }

    @Test
    public void mistakesComeBackAsOneSentence() {
        assertRefused("not a duration", "every", "soon");
        assertRefused("unknown schedule", "sometimes");
        assertRefused("not a time", "once", "2026-13-01T00:00:00Z");
        try {
            SchedSpecText.parse(new String[] {"every", "1h"}, "sideways", null);
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("skip, queue, parallel"));
        }
    }

    private static void assertRefused(String fragment, String... words) {
        try {
            parse(words);
            fail("accepted " + String.join(" ", words));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(fragment));
        }
    }

    /** 16.10: a duration is whole milliseconds from 0 to 3650d; everything else one sentence. */
    @Test
    public void durationsAreBounded() {
        for (String bad : new String[] {"PT0.000000001S", "0.5ms", "999999999999d", "-5s", "PT-5S", "1e3s", "5.5.5s"}) {
            try {
                SchedSpecText.duration(bad);
                org.junit.Assert.fail(bad);
            } catch (IllegalArgumentException e) {
                org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().startsWith("'" + bad + "' is "));
            }
        }
        try {
            SchedSpecText.duration("999999999999d");
        } catch (IllegalArgumentException e) {
            org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("out of range"));
        }
        assertEquals(Duration.ofMillis(1500), SchedSpecText.duration("1.5s"));
        assertEquals(Duration.ofDays(3650), SchedSpecText.duration("3650d"));
    }
}
