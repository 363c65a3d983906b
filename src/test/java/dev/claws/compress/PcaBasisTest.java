package dev.claws.compress;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcaBasisTest {

    /** Data of rank 5 in 12 dimensions: Q is orthogonal, sorted by variance, and its first 5 columns span the data. */
    @Test
    void leadingDirectionsSpanTheDataAndQIsOrthogonal() {
        int d = 12;
        int rank = 5;
        int n = 200;
        Random rnd = new Random(4);
        double[][] mix = new double[rank][d];
        for (double[] row : mix) {
            for (int j = 0; j < d; j++) {
                row[j] = rnd.nextGaussian();
            }
        }
        double[][] x = new double[n][d];
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rank; r++) {
                double z = rnd.nextGaussian() * (rank - r);
                for (int j = 0; j < d; j++) {
                    x[t][j] += z * mix[r][j];
                }
            }
        }
        double[] gram = new double[d * d];
        for (double[] row : x) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    gram[i * d + j] += row[i] * row[j];
                }
            }
        }
        double[] q = PcaBasis.of(gram, d);
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += q[i * d + a] * q[i * d + b];
                }
                assertEquals(a == b ? 1.0 : 0.0, dot, 1e-10);
            }
        }
        double previous = Double.MAX_VALUE;
        for (int j = 0; j < d; j++) {
            double energy = 0;
            for (double[] row : x) {
                double p = 0;
                for (int i = 0; i < d; i++) {
                    p += row[i] * q[i * d + j];
                }
                energy += p * p;
            }
            assertTrue(energy <= previous + 1e-9, "directions sorted by decreasing variance");
            previous = energy;
            if (j >= rank) {
                assertEquals(0.0, energy, 1e-8, "direction " + j + " carries no data");
            }
        }
    }
}
