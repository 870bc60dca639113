package dev.hallmark.tools.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Small helpers to write charts as PNG and SVG (XChart, headless): simple line charts
 * ({@link #lineChart}), and the experiment plots' line charts with log axes, markers and a reference
 * line ({@link #line}) and grouped bar charts ({@link #bars}).
 */
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

    /** A fixed palette, so a scheme keeps its colour across charts (by series order). */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
        new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0x17becf), new Color(0xbcbd22),
    };

    /** Line chart options. */
    public record Line(String title, String xLabel, String yLabel, boolean logX, boolean logY, boolean markers,
            double yMin, double yMax, double[] diagonal) {
        public static Line of(String title, String xLabel, String yLabel) {
            return new Line(title, xLabel, yLabel, false, false, true, Double.NaN, Double.NaN, null);
        }

        public Line withLogX() {
            return new Line(title, xLabel, yLabel, true, logY, markers, yMin, yMax, diagonal);
        }

        public Line withLogY() {
            return new Line(title, xLabel, yLabel, logX, true, markers, yMin, yMax, diagonal);
        }

        public Line withYRange(double min, double max) {
            return new Line(title, xLabel, yLabel, logX, logY, markers, min, max, diagonal);
        }

        public Line withoutMarkers() {
            return new Line(title, xLabel, yLabel, logX, logY, false, yMin, yMax, diagonal);
        }

        /** Adds a dashed grey reference line from (d[0], d[1]) to (d[2], d[3]). */
        public Line withReference(double x0, double y0, double x1, double y1) {
            return new Line(title, xLabel, yLabel, logX, logY, markers, yMin, yMax, new double[] {x0, y0, x1, y1});
        }
    }

    /**
     * Writes a line chart: {@code series} maps a legend label to {x[], y[]} (points that cannot be
     * drawn are dropped: NaN or infinite values, and values <= 0 on a log axis).
     *
     * @return the PNG path
     */
    public static Path line(Line spec, Map<String, double[][]> series, Path base) {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(900).height(560).title(spec.title()).xAxisTitle(spec.xLabel())
                .yAxisTitle(spec.yLabel()).build();
        style(c.getStyler());
        c.getStyler().setXAxisLogarithmic(spec.logX());
        c.getStyler().setYAxisLogarithmic(spec.logY());
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        if (!Double.isNaN(spec.yMin())) {
            c.getStyler().setYAxisMin(spec.yMin());
            c.getStyler().setYAxisMax(spec.yMax());
        }
        int k = 0;
        int drawn = 0;
        for (Map.Entry<String, double[][]> e : new LinkedHashMap<>(series).entrySet()) {
            drawn++;
            double[][] xy = clean(e.getValue()[0], e.getValue()[1], spec.logX(), spec.logY());
            if (xy[0].length == 0) {
                k++;
                drawn--;
                continue;
            }
            XYSeries s = c.addSeries(e.getKey(), xy[0], xy[1]);
            s.setLineColor(PALETTE[k % PALETTE.length]);
            s.setMarkerColor(PALETTE[k % PALETTE.length]);
            s.setMarker(spec.markers() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            s.setLineStyle(new BasicStroke(2f));
            k++;
        }
        if (spec.diagonal() == null && drawn == 0) {
            // nothing plottable (e.g. only zeros on a log axis): an empty frame, not an error
            c.addSeries("no data", new double[] {1}, new double[] {1}).setMarker(SeriesMarkers.NONE);
        }
        if (spec.diagonal() != null) {
            double[] d = spec.diagonal();
            XYSeries s = c.addSeries("reference", new double[] {d[0], d[2]}, new double[] {d[1], d[3]});
            s.setLineColor(Color.GRAY);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f}, 0f));
            s.setShowInLegend(false);
        }
        return write(c, base);
    }

    /**
     * Writes a grouped bar chart: one group per category, one bar per series (NaN values become 0
     * and are listed in the title's note by the caller).
     */
    public static Path bars(String title, String xLabel, String yLabel, List<String> categories,
            Map<String, double[]> series, Path base) {
        System.setProperty("java.awt.headless", "true");
        CategoryChart c = new CategoryChartBuilder().width(900).height(560).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(c.getStyler());
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setLegendVisible(series.size() > 1);
        c.getStyler().setXAxisLabelRotation(20);
        int k = 0;
        for (Map.Entry<String, double[]> e : new LinkedHashMap<>(series).entrySet()) {
            List<Double> ys = new ArrayList<>();
            for (double v : e.getValue()) {
                ys.add(Double.isFinite(v) ? v : 0.0);
            }
            c.addSeries(e.getKey(), categories, ys).setFillColor(PALETTE[k % PALETTE.length]);
            k++;
        }
        return write(c, base);
    }

    private static void style(Styler st) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        if (st instanceof org.knowm.xchart.style.AxesChartStyler a) {
            a.setPlotGridLinesColor(new Color(0xdddddd));
        }
        st.setLegendBorderColor(Color.WHITE);
        st.setChartTitleBoxVisible(false);
        st.setPlotBorderVisible(false);
        st.setToolTipsEnabled(false);
    }

    /** Drops points that cannot be drawn: non-finite, or non-positive on a log axis. */
    private static double[][] clean(double[] x, double[] y, boolean logX, boolean logY) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i]) && (!logX || x[i] > 0) && (!logY || y[i] > 0)) {
                pts.add(new double[] {x[i], y[i]});
            }
        }
        double[][] out = new double[2][pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            out[0][i] = pts.get(i)[0];
            out[1][i] = pts.get(i)[1];
        }
        return out;
    }

    private static Path write(Chart<?, ?> c, Path base) {
        try {
            Path parent = base.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            BitmapEncoder.saveBitmapWithDPI(c, base.toString(), BitmapEncoder.BitmapFormat.PNG, 110);
            VectorGraphicsEncoder.saveVectorGraphic(c, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + base + ": " + e.getMessage(), e);
        }
        return Path.of(base + ".png");
    }
}
