package org.scriptbox.scheduler.internal.cron;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Random;

import org.junit.Test;

/**
 * Session-6 lifecycle red team of 13.11: the calendar's own edges, which the DST-centred differential test never
 * visits — Feb 29 in leap and common years, the 30th and 31st around short months, year ends in zones at +14 and
 * -11 (and Apia, which skipped 2011-12-30 whole), and rare expressions whose next fire is years away. Each window is
 * compared with {@link CronDifferentialTest.Reference}, the brute-force evaluator written from docs/scheduling.md.
 */
public class CronCalendarEdgesTest {
    private static final int CASES = Integer.getInteger("scriptbox.cron.cases", 1000) / 2;
    private static final String[] ZONES = {"UTC", "Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago",
        "Australia/Lord_Howe", "America/St_Johns", "Asia/Kathmandu"};
    /** Local times near which windows are put: year ends, leap days, common-year Feb ends, short-month ends. */
    private static final String[] CENTRES = {"2027-12-31T23:30", "2028-02-28T23:30", "2028-02-29T23:30",
        "2029-02-28T23:30", "2026-04-30T23:30", "2026-06-30T23:59", "2030-12-31T23:59", "2026-01-31T00:10"};

    @Test
    public void monthEndsLeapDaysAndYearEndsAgreeWithTheReference() {
        Random r = new Random(20261201_6L);
        List<String> failures = new ArrayList<>();
        int compared = 0;
        for (int i = 0; i < CASES && failures.size() < 10; i++) {
            boolean apia = r.nextInt(8) == 0;
            ZoneId zone = ZoneId.of(apia ? "Pacific/Apia" : ZONES[r.nextInt(ZONES.length)]);
            LocalDateTime centre = apia ? LocalDateTime.parse("2011-12-29T23:30") : LocalDateTime.parse(CENTRES[r.nextInt(CENTRES.length)]);
            String expression = generate(r);
            Instant at = centre.atZone(zone).toInstant();
            Instant from = at.minus(40, ChronoUnit.HOURS);
            Instant to = at.plus(40, ChronoUnit.HOURS);
            CronExpression cron;
            try {
                cron = CronExpression.parse(expression, zone);
            } catch (CronSyntaxException e) {
                if (!e.getMessage().contains("would never fire")) {
                    failures.add("'" + expression + "' refused: " + e.getMessage());
                }
                continue;
            }
            NavigableSet<Instant> expected = CronDifferentialTest.Reference.fires(expression, zone, from, to);
            List<Instant> actual = new ArrayList<>();
            for (Instant t = cron.next(from); t != null && t.isBefore(to); t = cron.next(t)) {
                actual.add(t);
            }
            compared += expected.size();
            if (!actual.equals(new ArrayList<>(expected))) {
                failures.add("'" + expression + "' in " + zone + " from " + from + ": expected " + expected + ", got " + actual);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " disagreement(s) (" + compared + " fire times compared):\n" + String.join("\n", failures));
        }
        assertTrue("the windows hold fires to compare: " + compared, compared > CASES);
    }

    /** Rare expressions: the next fire is found however far it is, by the calendar's own rules. */
    @Test
    public void rareExpressionsFindTheirNextFireYearsAway() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        assertEquals(at("2028-02-29T00:00", berlin), CronExpression.parse("0 0 29 2 *", berlin).next(at("2026-03-01T00:00", berlin)));
        assertEquals(at("2032-02-29T00:00", berlin), CronExpression.parse("0 0 29 2 *", berlin).next(at("2028-02-29T00:00", berlin)));
        // 2100 is not a leap year: from 2096's Feb 29 the next is 2104's
        assertEquals(at("2104-02-29T12:00", berlin), CronExpression.parse("0 12 29 2 *", berlin).next(at("2096-03-01T00:00", berlin)));
        // day-of-month and day-of-week both restricted: either (Vixie's OR), within February: the first Sunday of 2027's
        Instant sunday = CronExpression.parse("0 0 29 2 SUN", berlin).next(at("2026-03-02T00:00", berlin));
        assertEquals(at("2027-02-07T00:00", berlin), sunday);
        // one second before midnight of a year's last day, across the year end
        ZoneId kiritimati = ZoneId.of("Pacific/Kiritimati");
        assertEquals(at("2027-12-31T23:59:59", kiritimati),
                CronExpression.parse("59 59 23 31 12 *", kiritimati).next(at("2027-01-01T00:00", kiritimati)));
        // Apia skipped 2011-12-30: a fire on the 30th has nothing to be shifted to that day, the next is a year on
        ZoneId apia = ZoneId.of("Pacific/Apia");
        Instant skipped = CronExpression.parse("0 12 30 12 *", apia).next(at("2011-12-29T00:00", apia));
        NavigableSet<Instant> ref = CronDifferentialTest.Reference.fires("0 12 30 12 *", apia, at("2011-12-29T00:00", apia),
                at("2013-01-01T00:00", apia));
        assertEquals(ref.first(), skipped);
    }

    private static Instant at(String local, ZoneId zone) {
        return LocalDateTime.parse(local).atZone(zone).toInstant();
    }

    private static String generate(Random r) {
        String minute = pick(r, "0", "59", "*/15", "30", "0,30", "45-59/7", "*");
        String hour = pick(r, "0", "23", "*", "*/6", "22-23", "0-1", "12");
        String dom = pick(r, "28", "29", "30", "31", "29-31", "1", "1,15,31", "28-31/2", "*", "?", "*/10");
        String month = pick(r, "2", "12", "1", "2,4,6", "*", "FEB", "dec", "11-12", "*/3", "1-3");
        String dow = pick(r, "*", "*", "?", "SUN", "0", "7", "MON-FRI", "6,0", "5/2");
        String five = minute + " " + hour + " " + dom + " " + month + " " + dow;
        return r.nextInt(6) == 0 ? pick(r, "0", "59", "*/20") + " " + five : five;
    }

    private static String pick(Random r, String... choices) {
        return choices[r.nextInt(choices.length)];
    }
}
