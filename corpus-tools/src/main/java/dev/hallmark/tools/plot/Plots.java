package dev.hallmark.tools.plot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Small helpers to write line charts as PNG and SVG (XChart, headless). */
public final class Plots {

    private Plots() {
    }

    /** One line: x and y of equal length. */
    public record Series(double[] x, double[] y) {
        /** Validates lengths. */
        public Series {
            Objects.requireNonNull(x, "x");
            Objects.requireNonNull(y, "y");
            if (x.length != y.length || x.length == 0) {
                throw new IllegalArgumentException("series needs equal, non-zero lengths: " + x.length + " vs " + y.length);
            }
        }
    }

    /** Chart options. */
    public record LineChart(String title, String xLabel, String yLabel, boolean logY, int width, int height) {
        /** A 900x540 chart with a linear y axis. */
        public static LineChart of(String title, String xLabel, String yLabel) {
            return new LineChart(title, xLabel, yLabel, false, 900, 540);
        }

        /** The same chart with a logarithmic y axis. */
        public LineChart withLogY() {
            return new LineChart(title, xLabel, yLabel, true, width, height);
        }
    }

    /**
     * Writes a line chart of {@code series} (legend label to data, in insertion order) to
     * {@code basePath + ".png"} and {@code basePath + ".svg"}; parent directories are created.
     *
     * @param basePath output path without extension
     * @return the PNG path
     */
    public static Path lineChart(LineChart spec, Map<String, Series> series, Path basePath) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(spec.width()).height(spec.height()).title(spec.title())
                .xAxisTitle(spec.xLabel()).yAxisTitle(spec.yLabel()).build();
        chart.getStyler().setYAxisLogarithmic(spec.logY());
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setXAxisTickMarkSpacingHint(90);
        for (Map.Entry<String, Series> e : new LinkedHashMap<>(series).entrySet()) {
            chart.addSeries(e.getKey(), e.getValue().x(), e.getValue().y()).setMarker(SeriesMarkers.NONE);
        }
        try {
            Path parent = basePath.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            BitmapEncoder.saveBitmap(chart, basePath.toString(), BitmapEncoder.BitmapFormat.PNG);
            VectorGraphicsEncoder.saveVectorGraphic(chart, basePath.toString(),
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + basePath, e);
        }
        return Path.of(basePath + ".png");
    }
}
