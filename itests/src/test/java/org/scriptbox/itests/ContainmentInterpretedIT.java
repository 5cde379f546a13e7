package org.scriptbox.itests;

import java.io.IOException;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The issue 11 adversarial suite ({@link ContainmentSuite}) with the engine in mode {@code interpreted}. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ContainmentInterpretedIT extends ContainmentSuite {
    @Configuration
    public Option[] config() throws IOException {
        return containerWith(compileMode());
    }

    @Override
    protected String compileMode() {
        return "interpreted";
    }

    @Override
    protected boolean compiled() {
        return false;
    }
}
