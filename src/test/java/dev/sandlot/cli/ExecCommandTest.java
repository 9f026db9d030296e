package dev.sandlot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ExecCommandTest {

    @Test
    void aTerminalWhenStdinAndStdoutAreTerminalsUnlessToldOtherwise() {
        assertThat(ExecCommand.wantsTerminal(false, false, true, true)).isTrue();
        assertThat(ExecCommand.wantsTerminal(false, false, true, false)).as("output piped").isFalse();
        assertThat(ExecCommand.wantsTerminal(false, false, false, true)).as("input piped").isFalse();
        assertThat(ExecCommand.wantsTerminal(false, true, true, true)).as("-T").isFalse();
        assertThat(ExecCommand.wantsTerminal(true, false, false, false)).as("-t").isTrue();
    }

    @Test
    void tAndCapitalTExcludeEachOther() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                "exec", "-t", "-T", "web", "--", "sh");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("-t and -T exclude each other");
    }
}
