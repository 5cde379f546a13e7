package org.scriptbox.scheduler.internal.cron;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cron expression in the Vixie/cronie dialect: five fields ({@code minute hour day-of-month month
 * day-of-week}) or six with seconds first, each a list of values, ranges ({@code a-b}) and steps
 * ({@code *&#47;n}, {@code a-b/n}, {@code a/n}); month and weekday names ({@code JAN}, {@code MON}); weekday 0 or
 * 7 is Sunday; {@code ?} means the same as {@code *} in the day fields; macros {@code @yearly @annually
 * @monthly @weekly @daily @midnight @hourly @reboot}.
 *
 * <p>Rules the next-fire computation follows (documented in docs/scheduling.md):
 * <ul>
 * <li>When both day fields are restricted, a day matches if either does (classic cron); when one is
 *     {@code *} or {@code ?}, only the other counts.</li>
 * <li>Times are local times of the expression's zone. A local time skipped by a DST gap fires shifted
 *     forward by the gap's length (java.time's rule), never twice.</li>
 * <li>A local time repeated by a DST overlap fires once, in the first pass, unless the hour field starts
 *     with {@code *}: such frequent jobs also fire in the repeated hour, so they keep their rhythm.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class CronExpression {
    /** How far ahead the search looks before deciding an expression never fires again. */
    private static final int MAX_YEARS_AHEAD = 10;

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final String REBOOT = "@reboot";

    private final String text;
    private final ZoneId zone;
    private final boolean reboot;
    private final long seconds;
    private final long minutes;
    private final long hours;
    private final long daysOfMonth;
    private final long months;
    private final long daysOfWeek;
    private final boolean dayOfMonthRestricted;
    private final boolean dayOfWeekRestricted;
    private final boolean hourStartsWithStar;

    private CronExpression(String text, ZoneId zone, boolean reboot, long[] fields, boolean domRestricted,
                           boolean dowRestricted, boolean hourStar) {
        this.text = text;
        this.zone = zone;
        this.reboot = reboot;
        this.seconds = fields[0];
        this.minutes = fields[1];
        this.hours = fields[2];
        this.daysOfMonth = fields[3];
        this.months = fields[4];
        this.daysOfWeek = fields[5];
        this.dayOfMonthRestricted = domRestricted;
        this.dayOfWeekRestricted = dowRestricted;
        this.hourStartsWithStar = hourStar;
    }

    /**
     * Parses an expression for a zone.
     *
     * @throws CronSyntaxException naming the column of the first problem
     */
    public static CronExpression parse(String expression, ZoneId zone) {
        if (expression == null) {
            throw new CronSyntaxException("", 1, "no expression given");
        }
        String trimmed = expression.strip();
        if (trimmed.isEmpty()) {
            throw new CronSyntaxException(expression, 1, "the expression is empty");
        }
        if (trimmed.startsWith("@")) {
            String macro = trimmed.toLowerCase(Locale.ROOT);
            if (macro.equals(REBOOT)) {
                return new CronExpression(trimmed, zone, true, new long[6], false, false, false);
            }
            String expanded = MACROS.get(macro);
            if (expanded == null) {
                throw new CronSyntaxException(expression, expression.indexOf('@') + 1, "unknown macro '" + trimmed
                        + "' (known: @yearly @annually @monthly @weekly @daily @midnight @hourly @reboot)");
            }
            CronExpression e = parseFields(expanded, expanded, 0, zone);
            return new CronExpression(trimmed, zone, false, e.fieldsArray(), e.dayOfMonthRestricted,
                    e.dayOfWeekRestricted, e.hourStartsWithStar);
        }
        return parseFields(expression, expression, 0, zone);
    }

    private long[] fieldsArray() {
        return new long[] {seconds, minutes, hours, daysOfMonth, months, daysOfWeek};
    }

    private static CronExpression parseFields(String original, String expression, int offset, ZoneId zone) {
        List<int[]> spans = new ArrayList<>();   // [start, end) of each whitespace-separated field
        int i = 0;
        while (i < expression.length()) {
            while (i < expression.length() && Character.isWhitespace(expression.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < expression.length() && !Character.isWhitespace(expression.charAt(i))) {
                i++;
            }
            if (i > start) {
                spans.add(new int[] {start, i});
            }
        }
        if (spans.size() != 5 && spans.size() != 6) {
            int column = spans.size() > 6 ? spans.get(6)[0] + 1 : expression.length() + 1;
            throw new CronSyntaxException(original, column + offset, "expected 5 fields (minute hour day-of-month"
                    + " month day-of-week) or 6 with seconds first, found " + spans.size());
        }
        boolean withSeconds = spans.size() == 6;
        long[] fields = new long[6];
        int first = withSeconds ? 0 : 1;
        if (!withSeconds) {
            fields[0] = 1L;   // second 0
        }
        String[] texts = new String[6];
        int[] columns = new int[6];
        for (int f = first; f < 6; f++) {
            int[] span = spans.get(f - first);
            texts[f] = expression.substring(span[0], span[1]);
            columns[f] = span[0] + 1 + offset;
            fields[f] = CronField.values()[f].parse(original, texts[f], columns[f]);
        }
        boolean domRestricted = !isUnrestricted(texts[3]);
        boolean dowRestricted = !isUnrestricted(texts[5]);
        if (domRestricted && !dowRestricted) {
            requireDayExists(original, fields[3], fields[4], columns[3]);
        }
        return new CronExpression(original.strip(), zone, false, fields, domRestricted, dowRestricted,
                texts[2].startsWith("*"));
    }

    private static boolean isUnrestricted(String fieldText) {
        return fieldText.equals("*") || fieldText.equals("?");
    }

    /** Rejects day/month combinations such as {@code 30 2} that never occur, instead of never firing. */
    private static void requireDayExists(String original, long days, long months, int column) {
        for (int m = 1; m <= 12; m++) {
            if ((months & (1L << m)) == 0) {
                continue;
            }
            int longest = Month.of(m).maxLength();
            for (int d = 1; d <= longest; d++) {
                if ((days & (1L << d)) != 0) {
                    return;
                }
            }
        }
        throw new CronSyntaxException(original, column, "no day of the given day-of-month field occurs in the"
                + " given months, so the expression would never fire");
    }

    /** The expression as written (macros stay macros). */
    public String text() {
        return text;
    }

    public ZoneId zone() {
        return zone;
    }

    /** {@code @reboot}: fires once when the container starts; {@link #next} has nothing for it. */
    public boolean isReboot() {
        return reboot;
    }

    /**
     * The first fire time strictly after {@code from}, or {@code null} if none within ten years
     * (and always for {@code @reboot}).
     *
     * <p>The search walks the zone's stretches of constant offset. Inside one stretch the local clock runs
     * evenly, so the first matching local time is the first fire, with two exceptions at the stretch's
     * start: after a gap, the skipped local times of the gap fire too (each shifted forward by the gap,
     * that is at its own wall time read with the offset before the gap), and they interleave with the
     * real local times after the gap; after an overlap, the repeated local times fire again only for
     * expressions whose hour field starts with {@code *}.
     */
    public Instant next(Instant from) {
        if (reboot) {
            return null;
        }
        ZoneRules rules = zone.getRules();
        Instant limit = from.atZone(ZoneOffset.UTC).plusYears(MAX_YEARS_AHEAD).toInstant();
        ZoneOffsetTransition start = rules.previousTransition(from.plusNanos(1));   // at or before from
        ZoneOffset offset = rules.getOffset(from);
        Instant after = from;   // exclusive lower bound of the search in this stretch
        while (after.isBefore(limit)) {
            ZoneOffsetTransition end = rules.nextTransition(start == null ? from : start.getInstant());
            Instant stretchEnd = end == null || end.getInstant().isAfter(limit) ? limit : end.getInstant();
            Instant found = earliest(inStretch(after, offset, start, stretchEnd),
                    inGapBefore(after, start, stretchEnd));
            if (found != null) {
                return found;
            }
            if (end == null || !end.getInstant().isBefore(limit)) {
                return null;
            }
            start = end;
            offset = end.getOffsetAfter();
            after = end.getInstant().minusNanos(1);
        }
        return null;
    }

    /** The first matching local time read with the stretch's offset, after {@code after} and before its end. */
    private Instant inStretch(Instant after, ZoneOffset offset, ZoneOffsetTransition start, Instant end) {
        LocalDateTime cursor = LocalDateTime.ofInstant(after, offset);
        if (start != null && start.isOverlap() && !hourStartsWithStar) {
            // the repeated local times fired in the first pass already
            LocalDateTime repeatEnd = start.getDateTimeBefore().minusNanos(1);
            cursor = cursor.isBefore(repeatEnd) ? repeatEnd : cursor;
        }
        LocalDateTime endLocal = LocalDateTime.ofInstant(end, offset);
        LocalDateTime local = nextLocal(cursor, endLocal.toLocalDate());
        return local == null || !local.isBefore(endLocal) ? null : local.toInstant(offset);
    }

    /** If the stretch starts with a gap: the first skipped local time of it that fires after {@code after}. */
    private Instant inGapBefore(Instant after, ZoneOffsetTransition start, Instant end) {
        if (start == null || !start.isGap()) {
            return null;
        }
        ZoneOffset before = start.getOffsetBefore();
        LocalDateTime gapStart = start.getDateTimeBefore().minusNanos(1);
        LocalDateTime cursor = LocalDateTime.ofInstant(after, before);
        cursor = cursor.isBefore(gapStart) ? gapStart : cursor;
        LocalDateTime gapEnd = start.getDateTimeAfter();
        LocalDateTime local = nextLocal(cursor, gapEnd.toLocalDate());
        if (local == null || !local.isBefore(gapEnd)) {
            return null;
        }
        Instant shifted = local.toInstant(before);
        return shifted.isBefore(end) ? shifted : null;
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    /**
     * A lower bound of the time between two fires, from the finest field that selects more than one value
     * (its smallest step, counting the wrap-around); a day if none does. DST shifts are not counted.
     */
    public Duration shortestGap() {
        long[] fields = {seconds, minutes, hours};
        int[] sizes = {60, 60, 24};
        long unit = 1;
        for (int f = 0; f < fields.length; f++) {
            int gap = smallestCyclicGap(fields[f], sizes[f]);
            if (gap > 0) {
                return Duration.ofSeconds(gap * unit);
            }
            unit *= sizes[f];
        }
        return Duration.ofDays(1);
    }

    /** The smallest distance between two set bits of {@code bits} in 0..size-1, cyclically; 0 if fewer than two. */
    private static int smallestCyclicGap(long bits, int size) {
        int first = -1;
        int previous = -1;
        int smallest = Integer.MAX_VALUE;
        for (int v = 0; v < size; v++) {
            if (has(bits, v)) {
                if (previous >= 0) {
                    smallest = Math.min(smallest, v - previous);
                } else {
                    first = v;
                }
                previous = v;
            }
        }
        if (first == previous) {
            return 0;
        }
        return Math.min(smallest, size - previous + first);
    }

    /** The first local date-time strictly after {@code after} whose fields all match, or null past {@code limit}. */
    private LocalDateTime nextLocal(LocalDateTime after, LocalDate limit) {
        LocalDateTime t = after.withNano(0).plusSeconds(1);
        while (!t.toLocalDate().isAfter(limit)) {
            if (!has(months, t.getMonthValue())) {
                t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
                continue;
            }
            if (!dayMatches(t.toLocalDate())) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            int h = nextBit(hours, t.getHour(), 23);
            if (h < 0) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            if (h != t.getHour()) {
                t = t.withHour(h).withMinute(0).withSecond(0);
            }
            int m = nextBit(minutes, t.getMinute(), 59);
            if (m < 0) {
                t = t.withMinute(0).withSecond(0).plusHours(1);
                continue;
            }
            if (m != t.getMinute()) {
                t = t.withMinute(m).withSecond(0);
            }
            int s = nextBit(seconds, t.getSecond(), 59);
            if (s < 0) {
                t = t.withSecond(0).plusMinutes(1);
                continue;
            }
            return t.withSecond(s);
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        boolean dom = has(daysOfMonth, date.getDayOfMonth());
        boolean dow = has(daysOfWeek, date.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : date.getDayOfWeek().getValue());
        if (dayOfMonthRestricted && dayOfWeekRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    private static boolean has(long bits, int value) {
        return (bits & (1L << value)) != 0;
    }

    private static int nextBit(long bits, int from, int max) {
        for (int v = from; v <= max; v++) {
            if (has(bits, v)) {
                return v;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return text + " (" + zone + ")";
    }
}
