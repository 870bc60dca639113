package dev.hallmark.tools;

import picocli.CommandLine;

/**
 * Turns exceptions thrown by subcommands into one clear line on stderr (exit code 1), instead of a
 * stack trace. Set {@code HALLMARK_DEBUG=1} to get the stack trace as well.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cl.getErr().println("hallmark " + cl.getCommandName() + ": error: " + msg);
        if (System.getenv("HALLMARK_DEBUG") != null) {
            ex.printStackTrace(cl.getErr());
        }
        return ex instanceof IllegalArgumentException ? 2 : 1;
    }
}
