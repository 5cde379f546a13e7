package org.scriptbox.shell.internal;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import org.jline.reader.LineReader;
import org.ops4j.pax.logging.spi.PaxAppender;
import org.ops4j.pax.logging.spi.PaxLoggingEvent;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.scriptbox.api.text.SafeText;

/**
 * The console's log lines (Pax Logging's {@code PaxOsgi} appender hands them to this service, see
 * etc/org.ops4j.pax.logging.cfg): {@code HH:mm:ss.SSS LEVEL logger message}, INFO and above, printed above the
 * prompt instead of into the line being typed, while a console is open. A logged exception is named by the log file only: no Java
 * exception text on the operator's console.
 */
@Component(service = PaxAppender.class, property = "org.ops4j.pax.logging.appender.name=" + ConsoleLog.NAME)
public class ConsoleLog implements PaxAppender {
    static final String NAME = "scriptbox-console";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    /** Syslog severity of INFO: lines below it (DEBUG, TRACE) stay in the file. */
    private static final int INFO = 6;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile LineReader reader;

    @Override
    public void doAppend(PaxLoggingEvent event) {
        LineReader console = reader;
        if (console == null || event.getLevel() == null || event.getLevel().getSyslogEquivalent() > INFO) {
            return;   // no console: the log4j console appender writes to stdout (service mode)
        }
        ConsoleLine.print(console, line(event.getTimeStamp(), event.getLevel().toLevel().name(), event.getLoggerName(),
                event.getRenderedMessage(), event.getThrowableStrRep() != null && event.getThrowableStrRep().length > 0));
    }

    static String line(long time, String level, String logger, String message, boolean withThrowable) {
        String shortLogger = logger == null ? "" : logger.substring(logger.lastIndexOf('.') + 1);
        if (shortLogger.length() > 24) {
            shortLogger = shortLogger.substring(0, 24);
        }
        return String.format("%s %-5s %-24s %s%s", TIME.format(Instant.ofEpochMilli(time)), level, shortLogger,
                SafeText.line(message == null ? "" : message), withThrowable ? " (details in the log file)" : "");
    }
}
