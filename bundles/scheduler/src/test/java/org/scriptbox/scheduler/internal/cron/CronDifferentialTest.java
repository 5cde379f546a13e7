package org.scriptbox.scheduler.internal.cron;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeSet;

import org.junit.Test;

/**
 * Differential test of {@link CronExpression#next} against {@link Reference}, a brute-force evaluator written
 * in this test from the rules in docs/scheduling.md only: it walks every local minute (or second) of a window,
 * matches the fields with its own parser, and maps each matching local time to instants by the doc's DST rules.
 * Expressions are generated at random (seeded) around real DST transitions of zones with 1 h, 30 min and 2 h
 * changes, half-hour and 45-minute offsets, and a skipped day. {@code -Dscriptbox.cron.cases=N} for more.
 */
public class CronDifferentialTest {
    private static final int CASES = Integer.getInteger("scriptbox.cron.cases", 1000);
    private static final String[] ZONES = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
        "Pacific/Chatham", "America/St_Johns", "Antarctica/Troll", "Pacific/Apia", "Asia/Kolkata", "UTC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
        "NOV", "DEC"};

    @Test
    public void nextAgreesWithABruteForceReferenceAroundDstTransitions() {
        Random random = new Random(20261201L);
        List<String> failures = new ArrayList<>();
        int compared = 0;
        for (int i = 0; i < CASES && failures.size() < 10; i++) {
            ZoneId zone = ZoneId.of(ZONES[random.nextInt(ZONES.length)]);
            Instant centre = windowCentre(zone, random);
            LocalDateTime centreLocal = LocalDateTime.ofInstant(centre, zone);
            boolean seconds = random.nextInt(6) == 0;
            String expression = generate(random, centreLocal, seconds);
            Instant from = centre.minus(seconds ? 2 : 30, ChronoUnit.HOURS);
            Instant to = centre.plus(seconds ? 2 : 30, ChronoUnit.HOURS);
            CronExpression cron;
            try {
                cron = CronExpression.parse(expression, zone);
            } catch (CronSyntaxException e) {   // only a day-of-month that no chosen month has may be refused
                if (!e.getMessage().contains("would never fire")) {
                    failures.add("'" + expression + "' refused: " + e.getMessage());
                }
                continue;
            }
            NavigableSet<Instant> expected = Reference.fires(expression, zone, from, to);
            List<Instant> actual = new ArrayList<>();
            for (Instant t = cron.next(from); t != null && t.isBefore(to); t = cron.next(t)) {
                actual.add(t);
            }
            compared += expected.size();
            if (!actual.equals(new ArrayList<>(expected))) {
                failures.add("'" + expression + "' in " + zone + " from " + from + ": expected " + diff(expected, actual));
                continue;
            }
            for (int probe = 0; probe < 5; probe++) {   // arbitrary starting points, with nanoseconds
                Instant start = from.plusNanos((long) (random.nextDouble() * (to.toEpochMilli() - from.toEpochMilli()))
                        * 1_000_000L + random.nextInt(1_000_000_000));
                Instant want = expected.higher(start);
                Instant got = cron.next(start);
                if (want != null && !want.equals(got)) {
                    failures.add("'" + expression + "' in " + zone + " next after " + start + ": expected " + want
                            + ", got " + got);
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " disagreement(s) with the reference (" + compared + " fire times compared):\n"
                    + String.join("\n", failures));
        }
    }

    @Test
    public void theReportedCasesFireEveryTimeTheRulesSay() {
        // Lord Howe jumps 02:00 -> 02:30: 02:10 is skipped (fires shifted, 02:40), 02:35 exists and fires
        assertEquals(List.of("2026-10-04T02:35+11:00[Australia/Lord_Howe]", "2026-10-04T02:40+11:00[Australia/Lord_Howe]"),
                local("10,35 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00Z", "2026-10-04T12:00:00Z"));
        // Berlin jumps 02:00 -> 03:00: both 02:15 and 02:45 are skipped and fire shifted, 03:15 and 03:45
        assertEquals(List.of("2026-03-29T03:15+02:00[Europe/Berlin]", "2026-03-29T03:45+02:00[Europe/Berlin]"),
                local("15,45 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z"));
    }

    private static List<String> local(String expression, String zone, String from, String to) {
        CronExpression cron = CronExpression.parse(expression, ZoneId.of(zone));
        List<String> out = new ArrayList<>();
        for (Instant t = cron.next(Instant.parse(from)); t != null && t.isBefore(Instant.parse(to)); t = cron.next(t)) {
            out.add(t.atZone(ZoneId.of(zone)).toString());
        }
        return out;
    }

    private static String diff(NavigableSet<Instant> expected, List<Instant> actual) {
        TreeSet<Instant> missing = new TreeSet<>(expected);
        actual.forEach(missing::remove);
        List<Instant> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        return expected.size() + " fires, got " + actual.size() + "; missing " + missing + ", extra or misordered " + extra;
    }

    /** A DST transition of the zone (2026, or Apia's skipped day in 2011) or, for fixed zones, a random day. */
    private static Instant windowCentre(ZoneId zone, Random random) {
        ZoneRules rules = zone.getRules();
        List<ZoneOffsetTransition> transitions = new ArrayList<>();
        Instant t = Instant.parse(zone.getId().equals("Pacific/Apia") && random.nextBoolean()
                ? "2011-06-01T00:00:00Z" : "2026-01-01T00:00:00Z");
        for (int i = 0; i < 3; i++) {
            ZoneOffsetTransition next = rules.nextTransition(t);
            if (next == null || next.getInstant().isAfter(t.plus(400, ChronoUnit.DAYS))) {
                break;
            }
            transitions.add(next);
            t = next.getInstant();
        }
        if (transitions.isEmpty() || random.nextInt(6) == 0) {
            return Instant.parse("2026-01-01T00:00:00Z").plus(random.nextInt(365 * 24), ChronoUnit.HOURS);
        }
        return transitions.get(random.nextInt(transitions.size())).getInstant()
                .plus(random.nextInt(121) - 60, ChronoUnit.MINUTES);
    }

    private static String generate(Random r, LocalDateTime near, boolean seconds) {
        String second = seconds ? field(r, 0, 59, near.getSecond(), null) : null;
        String minute = field(r, 0, 59, near.getMinute(), null);
        String hour = r.nextInt(3) == 0 ? "*" + (r.nextBoolean() ? "/" + (1 + r.nextInt(5)) : "")
                : field(r, 0, 23, near.getHour(), null);
        String dom = r.nextInt(3) > 0 ? (r.nextInt(4) == 0 ? "?" : "*") : field(r, 1, 31, near.getDayOfMonth(), null);
        String month = r.nextInt(4) > 0 ? "*" : field(r, 1, 12, near.getMonthValue(), MONTHS);
        int dowNear = near.getDayOfWeek() == DayOfWeek.SUNDAY ? (r.nextBoolean() ? 0 : 7) : near.getDayOfWeek().getValue();
        String dow = r.nextInt(3) > 0 ? (r.nextInt(4) == 0 ? "?" : "*") : field(r, 0, 7, dowNear, DAYS);
        String five = minute + " " + hour + " " + dom + " " + month + " " + dow;
        return seconds ? second + " " + five : five;
    }

    /** One field: a value, list, range, step or a/n, usually including {@code near} so that it fires. */
    private static String field(Random r, int min, int max, int near, String[] names) {
        int kind = r.nextInt(7);
        int a = r.nextInt(3) == 0 ? min + r.nextInt(max - min + 1) : near;
        int b = Math.min(max, a + r.nextInt(max - min + 1));
        int step = 1 + r.nextInt(Math.max(1, (max - min + 1) / 2));
        switch (kind) {
            case 0: return value(r, a, min, names);
            case 1: return value(r, a, min, names) + "," + value(r, min + r.nextInt(max - min + 1), min, names)
                    + "," + value(r, Math.min(max, a + 1 + r.nextInt(3)), min, names);
            case 2: return value(r, Math.max(min, a - r.nextInt(3)), min, names) + "-" + value(r, b, min, names);
            case 3: return "*/" + step;
            case 4: return a + "/" + step;
            case 5: return Math.max(min, a - r.nextInt(3)) + "-" + b + "/" + step;
            default: return "*";
        }
    }

    private static String value(Random r, int v, int min, String[] names) {
        if (names != null && v - min < names.length && r.nextInt(3) == 0) {
            String name = names[v - min];
            return r.nextBoolean() ? name : name.toLowerCase(Locale.ROOT);
        }
        return Integer.toString(v);
    }

    /** The rules of docs/scheduling.md, evaluated by brute force; shares no code with the implementation. */
    static final class Reference {
        private Reference() {
        }

        static NavigableSet<Instant> fires(String expression, ZoneId zone, Instant from, Instant to) {
            String[] f = expression.trim().split("\\s+");
            int o = f.length == 6 ? 1 : 0;
            boolean[] sec = f.length == 6 ? set(f[0], 0, 59, null) : only(0, 59);
            boolean[] min = set(f[o], 0, 59, null);
            boolean[] hour = set(f[o + 1], 0, 23, null);
            boolean[] dom = set(f[o + 2], 1, 31, null);
            boolean[] month = set(f[o + 3], 1, 12, MONTHS);
            boolean[] dow = set(f[o + 4], 0, 7, DAYS);
            boolean domStar = f[o + 2].equals("*") || f[o + 2].equals("?");
            boolean dowStar = f[o + 4].equals("*") || f[o + 4].equals("?");
            boolean hourStar = f[o + 1].startsWith("*");
            ZoneRules rules = zone.getRules();
            NavigableSet<Instant> out = new TreeSet<>();
            LocalDateTime end = LocalDateTime.ofInstant(to, zone).plusHours(26);   // offsets and gaps < 26 h
            for (LocalDateTime m = LocalDateTime.ofInstant(from, zone).minusHours(26).truncatedTo(ChronoUnit.MINUTES);
                 m.isBefore(end); m = m.plusMinutes(1)) {
                int weekday = m.getDayOfWeek().getValue() % 7;
                boolean domOk = dom[m.getDayOfMonth()];
                boolean dowOk = dow[weekday] || (weekday == 0 && dow[7]);
                boolean day = !domStar && !dowStar ? domOk || dowOk : domOk && dowOk;
                if (!(min[m.getMinute()] && hour[m.getHour()] && month[m.getMonthValue()] && day)) {
                    continue;
                }
                for (int s = 0; s < 60; s++) {
                    if (sec[s]) {
                        addFires(m.withSecond(s), rules, hourStar, from, to, out);
                    }
                }
            }
            return out;
        }

        private static void addFires(LocalDateTime l, ZoneRules rules, boolean hourStar, Instant from, Instant to,
                                     NavigableSet<Instant> out) {
            List<ZoneOffset> offsets = rules.getValidOffsets(l);
            List<Instant> instants = new ArrayList<>();
            if (offsets.isEmpty()) {   // gap: shifted forward by the gap's length
                instants.add(l.toInstant(rules.getTransition(l).getOffsetBefore()));
            } else {
                TreeSet<Instant> passes = new TreeSet<>();
                for (ZoneOffset off : offsets) {
                    passes.add(l.toInstant(off));
                }
                instants.add(passes.first());   // overlap: first pass, and the repeat for hour "*..."
                if (hourStar && passes.size() > 1) {
                    instants.add(passes.last());
                }
            }
            for (Instant i : instants) {
                if (i.isAfter(from) && i.isBefore(to)) {
                    out.add(i);
                }
            }
        }

        private static boolean[] only(int v, int max) {
            boolean[] b = new boolean[max + 1];
            b[v] = true;
            return b;
        }

        private static boolean[] set(String field, int lo, int hi, String[] names) {
            boolean[] b = new boolean[hi + 1];
            for (String element : field.split(",")) {
                String[] stepParts = element.split("/");
                int step = stepParts.length > 1 ? Integer.parseInt(stepParts[1]) : 1;
                String range = stepParts[0];
                int a;
                int z;
                if (range.equals("*") || range.equals("?")) {
                    a = lo;
                    z = hi;
                } else if (range.contains("-")) {
                    a = number(range.substring(0, range.indexOf('-')), lo, names);
                    z = number(range.substring(range.indexOf('-') + 1), lo, names);
                } else {
                    a = number(range, lo, names);
                    z = stepParts.length > 1 ? hi : a;
                }
                for (int v = a; v <= z; v += step) {
                    b[v] = true;
                }
            }
            return b;
        }

        private static int number(String token, int lo, String[] names) {
            if (names != null) {
                for (int i = 0; i < names.length; i++) {
                    if (names[i].equalsIgnoreCase(token)) {
                        return lo + i;
                    }
                }
            }
            return Integer.parseInt(token);
        }
    }
}
