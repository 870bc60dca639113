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
    };

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with every subcommand registered. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Hallmark());
        for (Class<?> sub : SUBCOMMANDS) {
            cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler(new CliErrors());
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Reports the build version from the jar manifest (or "dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Hallmark.class.getPackage().getImplementationVersion();
            return new String[] {"hallmark " + (v == null ? "dev" : v)};
        }
    }
}
