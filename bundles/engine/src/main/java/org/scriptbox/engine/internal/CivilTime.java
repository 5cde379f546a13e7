package org.scriptbox.engine.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneRules;
import java.util.Locale;

/**
 * A moment as C's {@code struct tm} holds it, in the proleptic Gregorian calendar (as glibc's {@code gmtime} and
 * {@code mktime}: no Julian days before 1582, year 0 exists), computed on longs so that every time a Lua script can
 * name has its date (lua5.4 dates 2^55 seconds; {@code java.time} ends at year 10^9). The zone's rules (offset,
 * daylight saving, abbreviation) are looked up at the moment, or at the end of the rules' range beyond it.
 */
record CivilTime(long year, int month, int day, int hour, int min, int sec, int wday, int yday, boolean isdst,
        int offsetSeconds, String zone) {
    private static final DateTimeFormatter ZONE_NAME = DateTimeFormatter.ofPattern("zzz", Locale.ROOT);
    private static final long MIN_INSTANT = Instant.MIN.getEpochSecond();
    private static final long MAX_INSTANT = Instant.MAX.getEpochSecond();

    /** {@code time} in UTC ({@code os.date('!...')}: glibc's gmtime names the zone GMT). */
    static CivilTime utc(long time) {
        return of(time, 0, false, "GMT");
    }

    /** {@code time} in the zone the container runs in. */
    static CivilTime local(long time) {
        ZoneId zone = ZoneId.systemDefault();
        Instant at = Instant.ofEpochSecond(Math.max(MIN_INSTANT, Math.min(MAX_INSTANT, time)));
        ZoneRules rules = zone.getRules();
        ZoneOffset offset = rules.getOffset(at);
        String name = ZONE_NAME.format(ZonedDateTime.ofInstant(clampForFormat(at), zone));
        return of(Math.addExact(time, offset.getTotalSeconds()), offset.getTotalSeconds(), rules.isDaylightSavings(at), name);
    }

    /** The zone's name needs a year {@code ZonedDateTime} can print. */
    private static Instant clampForFormat(Instant at) {
        long limit = LocalDateTime.MAX.toEpochSecond(ZoneOffset.UTC) - 86_400;
        return Instant.ofEpochSecond(Math.max(-limit, Math.min(limit, at.getEpochSecond())));
    }

    private static CivilTime of(long local, int offset, boolean dst, String zone) {
        long days = Math.floorDiv(local, 86_400);
        int secs = (int) Math.floorMod(local, 86_400);
        // days to civil (H. Hinnant's algorithm, proleptic Gregorian, eras of 400 years)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        int wday = (int) Math.floorMod(days + 4, 7);   // 1970-01-01 was a Thursday
        int yday = (int) (days - daysFromCivil(year, 1, 1));
        return new CivilTime(year, month, day, secs / 3_600, secs / 60 % 60, secs % 60, wday, yday, dst, offset, zone);
    }

    /** Days since 1970-01-01 of a date whose month is 1-12 and day any number (past the month's end: later). */
    static long daysFromCivil(long year, int month, long day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /**
     * Seconds since the epoch of a local date and time whose fields may be out of range (month 14, day 0, sec -5:
     * normalised as mktime does, on longs). {@code utc}: the fields are UTC; else the zone's offset at that local
     * time (in a gap, the offset before it; in an overlap, the earlier offset: as {@code ZonedDateTime.ofLocal}).
     */
    static long epochSeconds(long year, long month, long day, long hour, long min, long sec, boolean utc) {
        long months = month - 1;
        long y = year + Math.floorDiv(months, 12);
        int m = (int) Math.floorMod(months, 12) + 1;
        long local = (daysFromCivil(y, m, 1) + day - 1) * 86_400 + hour * 3_600 + min * 60 + sec;
        if (utc) {
            return local;
        }
        ZoneId zone = ZoneId.systemDefault();
        long limit = LocalDateTime.MAX.toEpochSecond(ZoneOffset.UTC) - 86_400;
        LocalDateTime at = LocalDateTime.ofEpochSecond(Math.max(-limit, Math.min(limit, local)), 0, ZoneOffset.UTC);
        return local - ZonedDateTime.ofLocal(at, zone, null).getOffset().getTotalSeconds();
    }
}
