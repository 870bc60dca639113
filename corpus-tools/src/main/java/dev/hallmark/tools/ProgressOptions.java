package dev.hallmark.tools;

import java.io.PrintWriter;
import java.io.Writer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Mixin {@code --quiet}: progress bars on the command's stderr, or nowhere. */
public final class ProgressOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--quiet", description = "No progress bars.")
    boolean quiet;

    /** Where progress goes: the command's stderr, or a sink with {@code --quiet}. */
    public PrintWriter writer() {
        return quiet ? new PrintWriter(Writer.nullWriter()) : command.commandLine().getErr();
    }

    /** A progress bar; {@code total} -1 if unknown. */
    public Progress progress(String label, long total) {
        return new Progress(label, total, writer());
    }
}
