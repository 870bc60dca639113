package dev.hallmark.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hallmark} command line. Each subcommand lives in its own class and is listed in
 * {@link #SUBCOMMANDS}; exit codes follow picocli: 0 success, 1 runtime failure, 2 usage error.
 */
@Command(name = "hallmark",
        mixinStandardHelpOptions = true,
        versionProvider = Hallmark.Version.class,
        description = "Hallmark: LLM output watermarking, detection and provenance research.")
public final class Hallmark implements Runnable {

    /** Subcommand classes, in the order help lists them. */
    static final Class<?>[] SUBCOMMANDS = {
        KeygenCommand.class,
        DemoCommand.class,
        GenerateCommand.class,
        DetectCommand.class,
        TokenizeCommand.class,
        CalibrateCommand.class,
        RadioactivityCommand.class,
        AttributeCommand.class,
        AttackCommand.class,
        ExperimentCommand.class,
        BenchCommand.class,
        BenchGenerateCommand.class,
        DetectionReportCommand.class,
        TrainLmCommand.class,
        dev.hallmark.tools.distill.DistillCommand.class,
        dev.hallmark.tools.spark.SparkDetectCommand.class,
        dev.hallmark.tools.serve.ServeCommand.class,
        dev.hallmark.tools.probe.ProbeCommand.class,
        dev.hallmark.tools.serve.ServeBenchCommand.class,
    };

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with every subcommand registered. */
    public static CommandLine commandLine() {
        return commandLine(SUBCOMMANDS);
    }

    /**
     * The command line for {@code args}: when the first argument names a subcommand, only that one is
     * registered. Building picocli's model of every command loads the classes their options refer to
     * (DJL, Jackson's object mapper, ...): about 0.4 s of CPU in a fresh JVM, which a short
     * {@code hallmark tokenize} would otherwise spend before its own work. Anything else (no
     * arguments, {@code --help}, a misspelt command, whose suggestions need every name) gets all.
     */
    static CommandLine commandLineFor(String[] args) {
        if (args.length > 0) {
            for (Class<?> sub : SUBCOMMANDS) {
                Command c = sub.getAnnotation(Command.class);
                if (c != null && (c.name().equals(args[0]) || java.util.Arrays.asList(c.aliases()).contains(args[0]))) {
                    return commandLine(sub);
                }
            }
        }
        return commandLine();
    }

    private static CommandLine commandLine(Class<?>... subcommands) {
        CommandLine cl = new CommandLine(new Hallmark());
        for (Class<?> sub : subcommands) {
            cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler(new CliErrors());
        HelpLayout.install(cl);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLineFor(args).execute(args));
    }

    /** The build version: the one source every Hallmark jar reports, the verifier service's too. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hallmark " + dev.hallmark.detect.HallmarkVersion.get()};
        }
    }
}
