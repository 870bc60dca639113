package dev.hallmark.tools.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Thread CPU time spent in the measured operations, as JMH secondary results ({@code cpuNanos}
 * and {@code calls} per iteration; their ratio is CPU time per operation). On a shared machine
 * wall time includes the time the thread waits for a core; CPU time much less so (other jobs on
 * the sibling hyperthread still slow it down). Reading the clock costs well under a microsecond per
 * operation.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public long cpuNanos;
    public long calls;
    private long start;

    @Setup(Level.Iteration)
    public void reset() {
        cpuNanos = 0;
        calls = 0;
    }

    void begin() {
        start = THREADS.getCurrentThreadCpuTime();
    }

    void end() {
        cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
        calls++;
    }
}
