package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;

import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.scriptbox.api.testing.ScriptTests;
import org.scriptbox.api.testing.TestCaseResult;
import org.scriptbox.api.testing.TestReport;
import org.scriptbox.api.text.LuaNumbers;
import org.scriptbox.api.text.SafeText;

/**
 * {@code script:test NAME}: the script's {@code NAME_test.lua} against mock devices with a virtual clock (the
 * testing bundle's {@link ScriptTests}); one line per case, the failure with its file:line, a summary line.
 */
@Component(service = {})
public class ScriptTestCommand {
    /** Without the testing bundle the command still answers, with one sentence. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ScriptTests tests;
    private final ShellCommands registered;

    @Activate
    public ScriptTestCommand(BundleContext context) {
        this.registered = ShellCommands.register(context, List.of(command()));
    }

    @Deactivate
    void deactivate() {
        registered.unregister();
    }

    ShellCommand command() {
        return new ShellCommand(Usage.of("script:test", "runs a script's tests (NAME_test.lua beside NAME.lua) against mock"
                        + " devices with a virtual clock; never live, never a real device (Ctrl-C cancels)")
                .withArgument("NAME", "script name").withExample("script:test motor_ramp"), (s, a) -> run(a.text("NAME")));
    }

    String run(String name) {
        ScriptTests t = tests;
        if (t == null) {
            return "script:test needs the testing bundle (org.scriptbox.testing), which is not running";
        }
        return text(t.run(name));
    }

    static String text(TestReport r) {
        StringBuilder sb = new StringBuilder();
        if (r.testFile() != null && !r.cases().isEmpty()) {
            sb.append(SafeText.line(r.testFile())).append('\n');
        }
        for (TestCaseResult c : r.cases()) {
            sb.append(c.passed() ? "  PASS " : "  FAIL ").append(SafeText.line(c.name())).append(" (")
                    .append(LuaNumbers.format(c.virtualSeconds())).append(" s virtual, ").append(c.instructions())
                    .append(" instructions)\n");
            if (!c.passed()) {
                sb.append("       ").append(SafeText.line(c.failure())).append('\n');
                for (String line : c.output()) {
                    sb.append("       | ").append(SafeText.line(line)).append('\n');
                }
            }
        }
        if (r.problem() != null) {
            sb.append(r.cases().isEmpty() ? "" : "stopped: ").append(SafeText.line(r.problem())).append('\n');
        }
        if (!r.cases().isEmpty()) {
            sb.append(r.ok() ? "OK: " : "FAILED: ").append(r.passed()).append(" passed, ").append(r.failed())
                    .append(" failed").append(r.problem() != null ? " (not all cases ran)" : "").append('\n');
        }
        return sb.length() == 0 ? "no result" : sb.toString().stripTrailing();
    }
}
