package org.scriptbox.itests;

import java.io.IOException;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The issue 11 adversarial suite ({@link ContainmentSuite}) with the engine in mode {@code asm} (every script compiled at deploy by the engine's compiler). */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ContainmentCompiledIT extends ContainmentSuite {
    @Configuration
    public Option[] config() throws IOException {
        return containerWith(compileMode());
    }

    @Override
    protected String compileMode() {
        return "asm";
    }

    @Override
    protected boolean compiled() {
        return true;
    }
}
