package dev.claws.compress;

import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * SliceGPT's PCA of a residual-stream position: from the uncentred second-moment matrix H = sum x^T x (float64,
 * accumulated over all calibration tokens) it returns the orthogonal Q whose columns are H's eigenvectors in order of
 * decreasing eigenvalue, after SliceGPT's damping H += 0.01 * mean(diag H) * I. Symmetric eigendecomposition
 * (commons-math3); if it does not converge, the SVD of the (positive semi-definite) H gives the same directions.
 */
final class PcaBasis {

    private PcaBasis() {
    }

    /** @param gram H, row-major d x d; @return Q, row-major d x d (column j = direction j) */
    static double[] of(double[] gram, int d) {
        if (gram.length != (long) d * d) {
            throw new IllegalArgumentException("gram matrix must be " + d + "x" + d);
        }
        double[][] h = new double[d][d];
        double trace = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double v = 0.5 * (gram[i * d + j] + gram[j * d + i]); // exact symmetry for the symmetric solver
                if (!Double.isFinite(v)) {
                    throw new IllegalStateException("calibration activations are not finite (entry " + i + "," + j
                            + " of the second-moment matrix)");
                }
                h[i][j] = v;
            }
            trace += h[i][i];
        }
        double damp = 0.01 * trace / d;
        for (int i = 0; i < d; i++) {
            h[i][i] += damp;
        }
        RealMatrix m = new Array2DRowRealMatrix(h, false);
        RealMatrix vectors;
        double[] values;
        try {
            EigenDecomposition eig = new EigenDecomposition(m);
            vectors = eig.getV();
            values = eig.getRealEigenvalues();
        } catch (MathIllegalStateException e) {
            SingularValueDecomposition svd = new SingularValueDecomposition(m);
            vectors = svd.getU();
            values = svd.getSingularValues();
        }
        double[] vals = values;
        Integer[] order = IntStream.range(0, d).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> vals[i]).reversed());
        double[] q = new double[d * d];
        for (int j = 0; j < d; j++) {
            int src = order[j];
            for (int i = 0; i < d; i++) {
                q[i * d + j] = vectors.getEntry(i, src);
            }
        }
        return q;
    }
}
