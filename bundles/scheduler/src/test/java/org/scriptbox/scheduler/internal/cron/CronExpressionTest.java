package org.scriptbox.scheduler.internal.cron;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

public class CronExpressionTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static Instant utc(String localDateTime) {
        return LocalDateTime.parse(localDateTime).toInstant(ZoneOffset.UTC);
    }

    private static List<Instant> next(String expression, ZoneId zone, Instant from, int count) {
        CronExpression cron = CronExpression.parse(expression, zone);
        List<Instant> out = new ArrayList<>();
        Instant t = from;
        for (int i = 0; i < count; i++) {
            t = cron.next(t);
            out.add(t);
        }
        return out;
    }

    @Test
    public void everyFiveMinutesIsStrictlyAfterFrom() {
        assertEquals(List.of(utc("2026-01-01T10:05:00"), utc("2026-01-01T10:10:00")),
                next("*/5 * * * *", UTC, utc("2026-01-01T10:00:00"), 2));
    }

    @Test
    public void sixFieldsMeanSecondsFirst() {
        assertEquals(List.of(utc("2026-01-01T10:00:15"), utc("2026-01-01T10:00:45"), utc("2026-01-01T10:01:15")),
                next("15/30 * * * * *", UTC, utc("2026-01-01T10:00:00"), 3));
    }

    @Test
    public void listsRangesAndNames() {
        // 9:30 on weekdays in March only
        assertEquals(List.of(utc("2026-03-02T09:30:00"), utc("2026-03-03T09:30:00")),
                next("30 9 * mar MON-fri", UTC, utc("2026-02-27T12:00:00"), 2));
        assertEquals(List.of(utc("2026-01-04T00:00:00")), next("0 0 * * 7", UTC, utc("2026-01-01T00:00:00"), 1));
        assertEquals(List.of(utc("2026-01-01T08:00:00"), utc("2026-01-01T12:00:00"), utc("2026-01-01T17:00:00")),
                next("0 8,12,17 * * *", UTC, utc("2026-01-01T00:00:00"), 3));
    }

    @Test
    public void macros() {
        Instant from = utc("2026-05-17T13:42:10");
        assertEquals(utc("2026-05-17T14:00:00"), CronExpression.parse("@hourly", UTC).next(from));
        assertEquals(utc("2026-05-18T00:00:00"), CronExpression.parse("@daily", UTC).next(from));
        assertEquals(utc("2026-05-18T00:00:00"), CronExpression.parse("@midnight", UTC).next(from));
        assertEquals(utc("2026-05-24T00:00:00"), CronExpression.parse("@weekly", UTC).next(from));
        assertEquals(utc("2026-06-01T00:00:00"), CronExpression.parse("@monthly", UTC).next(from));
        assertEquals(utc("2027-01-01T00:00:00"), CronExpression.parse("@YEARLY", UTC).next(from));
        assertEquals(utc("2027-01-01T00:00:00"), CronExpression.parse("@annually", UTC).next(from));
        CronExpression reboot = CronExpression.parse("@reboot", UTC);
        assertTrue(reboot.isReboot());
        assertNull(reboot.next(from));
    }

    @Test
    public void monthEndsSkipShortMonths() {
        assertEquals(List.of(utc("2026-01-31T00:00:00"), utc("2026-03-31T00:00:00"), utc("2026-05-31T00:00:00")),
                next("0 0 31 * *", UTC, utc("2026-01-01T00:00:00"), 3));
        // 29 February only in leap years
        assertEquals(List.of(utc("2028-02-29T12:00:00"), utc("2032-02-29T12:00:00")),
                next("0 12 29 2 *", UTC, utc("2026-03-01T00:00:00"), 2));
        // the last minute of a year rolls into the next one
        assertEquals(utc("2027-01-01T00:00:00"), CronExpression.parse("0 0 1 1 *", UTC).next(utc("2026-12-31T23:59:59")));
    }

    @Test
    public void bothDayFieldsRestrictedMatchEither() {
        // the 13th, or any Friday (classic cron OR)
        assertEquals(List.of(utc("2026-02-06T00:00:00"), utc("2026-02-13T00:00:00"), utc("2026-02-20T00:00:00")),
                next("0 0 13 * FRI", UTC, utc("2026-02-01T00:00:00"), 3));
        // with one day field '?', only the other counts
        assertEquals(List.of(utc("2026-02-13T00:00:00"), utc("2026-03-13T00:00:00")),
                next("0 0 13 * ?", UTC, utc("2026-02-01T00:00:00"), 2));
    }

    @Test
    public void springForwardGapShiftsForwardAndNeverFiresTwice() {
        // Berlin 2026-03-29: 02:00 local jumps to 03:00 (01:00 UTC).
        assertEquals(List.of(utc("2026-03-28T01:30:00"), utc("2026-03-29T01:30:00"), utc("2026-03-30T00:30:00")),
                next("30 2 * * *", BERLIN, utc("2026-03-28T00:00:00"), 3));
        // every 30 minutes across the gap: 01:30 CET, then 03:00 CEST (02:00 and 02:30 did not exist)
        List<Instant> half = next("*/30 * * * *", BERLIN, utc("2026-03-29T00:00:00"), 4);
        assertEquals(List.of(utc("2026-03-29T00:30:00"), utc("2026-03-29T01:00:00"), utc("2026-03-29T01:30:00"),
                utc("2026-03-29T02:00:00")), half);
    }

    @Test
    public void fallBackOverlapFiresFixedTimesOnce() {
        // New York 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
        assertEquals(List.of(utc("2026-10-31T05:30:00"), utc("2026-11-01T05:30:00"), utc("2026-11-02T06:30:00")),
                next("30 1 * * *", NEW_YORK, utc("2026-10-31T00:00:00"), 3));
    }

    @Test
    public void fallBackOverlapKeepsTheRhythmOfFrequentJobs() {
        // every 30 minutes: 01:00 EDT, 01:30 EDT, 01:00 EST, 01:30 EST, 02:00 EST
        assertEquals(List.of(utc("2026-11-01T05:00:00"), utc("2026-11-01T05:30:00"), utc("2026-11-01T06:00:00"),
                utc("2026-11-01T06:30:00"), utc("2026-11-01T07:00:00")),
                next("*/30 * * * *", NEW_YORK, utc("2026-11-01T04:45:00"), 5));
    }

    @Test
    public void dayOfWeekStepsReachSevenWhichIsSunday() {
        // 2026-01-04 is a Sunday; 7/2 is {7} = Sunday (it used to select nothing and never fire)
        assertEquals(List.of(utc("2026-01-04T00:00:00"), utc("2026-01-11T00:00:00")),
                next("0 0 * * 7/2", UTC, utc("2026-01-01T00:00:00"), 2));
        // both day fields restricted: the 1st of the month or a Sunday (the weekday part used to be lost)
        assertEquals(List.of(utc("2026-01-04T00:00:00"), utc("2026-01-11T00:00:00"), utc("2026-01-18T00:00:00"),
                utc("2026-01-25T00:00:00"), utc("2026-02-01T00:00:00")),
                next("0 0 1 * 7/3", UTC, utc("2026-01-01T00:00:00"), 5));
        // 5/2 is Friday and 7 (Sunday)
        assertEquals(List.of(utc("2026-01-02T00:00:00"), utc("2026-01-04T00:00:00")),
                next("0 0 * * 5/2", UTC, utc("2026-01-01T00:00:00"), 2));
    }

    @Test
    public void invalidExpressionsNameTheColumn() {
        assertError("*/5 75 * * *", 5, "hour value 75 is out of range 0-23");
        assertError("61 * * * *", 1, "minute value 61 is out of range 0-59");
        assertError("* * * *", 8, "expected 5 fields");
        assertError("* * * * * * *", 13, "expected 5 fields");
        assertError("*/0 * * * *", 3, "step 0");
        assertError("0 0 * * MON-FOO", 13, "'FOO' is not a valid day-of-week value");
        assertError("0 0 L * *", 5, "Quartz");
        assertError("0 0 5-3 * *", 5, "runs backwards");
        assertError("0 0 1,,2 * *", 7, "empty element");
        assertError("0 ? * * *", 3, "only allowed in the day fields");
        assertError("0 0 30 2 *", 5, "never fire");
        assertError("@often", 1, "unknown macro");
        assertError("   ", 1, "empty");
        assertError("0 0 * 13 *", 7, "month value 13");
    }

    private static void assertError(String expression, int column, String fragment) {
        try {
            CronExpression.parse(expression, UTC);
            fail("accepted " + expression);
        } catch (CronSyntaxException e) {
            assertEquals(e.getMessage(), column, e.column());
            assertTrue(e.getMessage(), e.getMessage().contains(fragment));
            assertTrue(e.getMessage(), e.getMessage().contains("column " + column));
        }
    }
}
