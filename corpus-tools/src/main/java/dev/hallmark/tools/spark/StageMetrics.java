package dev.hallmark.tools.spark;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Task metrics summed per stage, for the benchmark's account of where the time and the shuffle
 * bytes go: the map stage (read, tokenize, score, local de-duplication, shuffle write) vs the
 * reduce stage (shuffle read, final de-duplication, exact sums).
 */
final class StageMetrics extends SparkListener {

    /** Sums of one stage's finished tasks. */
    static final class Stage {
        long tasks;
        long runNanos;
        long cpuNanos;
        long gcMillis;
        long shuffleWriteBytes;
        long shuffleWriteRecords;
        long shuffleReadBytes;
        long shuffleReadRecords;
        long inputRecords;
    }

    private final Map<Integer, Stage> stages = new TreeMap<>();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        started.incrementAndGet();
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
        TaskMetrics m = e.taskMetrics();
        if (m != null) {
            Stage s = stages.computeIfAbsent(e.stageId(), k -> new Stage());
            s.tasks++;
            s.runNanos += m.executorRunTime() * 1_000_000L;
            s.cpuNanos += m.executorCpuTime();
            s.gcMillis += m.jvmGCTime();
            s.shuffleWriteBytes += m.shuffleWriteMetrics().bytesWritten();
            s.shuffleWriteRecords += m.shuffleWriteMetrics().recordsWritten();
            s.shuffleReadBytes += m.shuffleReadMetrics().totalBytesRead();
            s.shuffleReadRecords += m.shuffleReadMetrics().recordsRead();
            s.inputRecords += m.inputMetrics().recordsRead();
        }
        ended.incrementAndGet();
    }

    /** Waits (at most 5 s) until every started task's end event has arrived; the bus is asynchronous. */
    void drain() throws InterruptedException {
        for (int i = 0; i < 500 && ended.get() < started.get(); i++) {
            Thread.sleep(10);
        }
    }

    synchronized Map<Integer, Stage> snapshotAndReset() {
        Map<Integer, Stage> copy = new TreeMap<>(stages);
        stages.clear();
        return copy;
    }
}
