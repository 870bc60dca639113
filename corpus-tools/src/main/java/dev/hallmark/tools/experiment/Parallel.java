package dev.hallmark.tools.experiment;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * A fixed pool of worker threads for the experiment's stages: {@link #forEach} runs a body for
 * every index and rethrows its failure. Bodies write to their own index only, so results do not
 * depend on the thread count or the order the indices run in.
 */
final class Parallel implements AutoCloseable {

    private final ForkJoinPool pool;

    Parallel(int threads) {
        this.pool = new ForkJoinPool(threads);
    }

    /** Runs {@code body} for 0 .. n-1 on the pool and waits; a runtime failure of the body is rethrown. */
    void forEach(int n, IntConsumer body) {
        try {
            pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error er) {
                throw er;
            }
            throw new IllegalStateException(c);
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
