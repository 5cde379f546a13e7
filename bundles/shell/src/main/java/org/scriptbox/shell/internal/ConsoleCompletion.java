package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.ShellCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.LineReaderImpl;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.device.DeviceDirectory;

/**
 * Tab completion in the console for scriptbox's commands ({@link CompletionCandidates}): the console's line
 * reader keeps Gogo's completer for command names and every other command; after one of ours, ours answers.
 * The original completer is put back when this component goes.
 */
@Component(service = {})
public class ConsoleCompletion {
    private final List<ShellCommand> commands = new CopyOnWriteArrayList<>();
    private final CompletionCandidates candidates = new CompletionCandidates(this::scripts, this::devices);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ScriptManager manager;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile DeviceDirectory directory;

    private volatile LineReaderImpl reader;
    private volatile Completer original;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, service = ShellCommand.class)
    void addCommand(ShellCommand c) {
        commands.add(c);
    }

    void removeCommand(ShellCommand c) {
        commands.remove(c);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindReader(LineReader r) {
        if (r instanceof LineReaderImpl) {
            LineReaderImpl impl = (LineReaderImpl) r;
            Completer before = impl.getCompleter();
            impl.setCompleter(new Ours(before));
            reader = impl;
            original = before;
        }
    }

    synchronized void unbindReader(LineReader r) {
        if (r == reader) {
            reader.setCompleter(original);
            reader = null;
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (reader != null) {
            reader.setCompleter(original);
            reader = null;
        }
    }

    private List<String> scripts() {
        ScriptManager m = manager;
        return m == null ? List.of() : m.list().stream().map(ScriptInfo::name).sorted().toList();
    }

    private List<String> devices() {
        DeviceDirectory d = directory;
        return d == null ? List.of() : new ArrayList<>(d.ids());
    }

    private ShellCommand command(String word) {
        for (ShellCommand c : commands) {
            String full = c.usage().command();
            if (full.equals(word)) {
                return c;
            }
        }
        for (ShellCommand c : commands) {   // a bare name, as Gogo's SCOPE finds it
            String full = c.usage().command();
            if (full.substring(full.indexOf(':') + 1).equals(word) && HelpCommand.OUR_SCOPES.contains(full.substring(0, full.indexOf(':')))) {
                return c;
            }
        }
        return null;
    }

    private final class Ours implements Completer {
        private final Completer gogo;

        Ours(Completer gogo) {
            this.gogo = gogo;
        }

        @Override
        public void complete(LineReader r, ParsedLine line, List<Candidate> out) {
            ShellCommand c = line.wordIndex() > 0 && !line.words().isEmpty() ? command(line.words().get(0)) : null;
            if (c == null) {
                if (gogo != null) {
                    gogo.complete(r, line, out);
                }
                return;
            }
            List<String> before = line.words().subList(1, line.wordIndex());
            for (CompletionCandidates.Candidate k : candidates.of(c.usage(), before, line.word().substring(0, line.wordCursor()))) {
                out.add(new Candidate(k.value(), k.value(), null, k.description(), null, null, true));
            }
        }
    }
}
