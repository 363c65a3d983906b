package dev.claws.jobs;

import java.util.Arrays;

/** Median and spread (largest minus smallest) of repeated measurements. */
record BenchmarkStats(double median, double spread) {

    static BenchmarkStats of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("values: at least one measurement is needed");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new BenchmarkStats(median, v[n - 1] - v[0]);
    }
}
