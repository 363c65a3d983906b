package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One projection weight [out, in] held for one-row matrix-vector products y = W x (the decode step), read with the
 * Vector API at the machine's memory bandwidth: PyTorch's one-row sgemm reads weights at about half of it. Each output
 * row is a dot product over the input width; callers split the output rows among threads ({@link RowParallel}).
 * <p>
 * Inputs {@code x} are float32 of length {@link #paddedIn()} (zeros past {@link #in()}): rows are stored padded to a
 * whole number of vector blocks so every kernel runs without a tail loop.
 */
public abstract sealed class DecodeMatrix permits DecodeMatrix.Float32, DecodeMatrix.Float32Heap,
        DecodeMatrix.Bfloat16, DecodeMatrix.Int8 {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int LANES = F.length();

    final int out;
    final int in;
    final int paddedIn;

    DecodeMatrix(int out, int in, int block) {
        this.out = out;
        this.in = in;
        this.paddedIn = (in + block - 1) / block * block;
    }

    public int out() {
        return out;
    }

    public int in() {
        return in;
    }

    public int paddedIn() {
        return paddedIn;
    }

    /** Bytes read per product (weights and scales). */
    public abstract long bytes();

    /** Bytes held by this matrix itself, beside the engine's float32 weight (0 when it reads that in place). */
    public long ownedBytes() {
        return bytes();
    }

    /** y[r] = sum_k W[r, k] x[k] for rows r in [from, to); x has length >= paddedIn() with zeros past in(). */
    public final void multiply(float[] x, float[] y, int from, int to) {
        multiply(x, 0, y, 0, from, to);
    }

    /**
     * y[yOffset + r] = sum_k W[r, k] x[xOffset + k] for rows r in [from, to): {@link #multiply(float[], float[], int,
     * int)} for one input row of a flat buffer (paddedIn() long from xOffset, zeros past in()) into a flat output, so
     * the rows of a step need no array each.
     */
    public abstract void multiply(float[] x, int xOffset, float[] y, int yOffset, int from, int to);

    /**
     * The weight of the float32 engine array {@code weight} [out, in] in {@code dtype}. float32 reads the engine's
     * memory in place (no copy); bfloat16 and int8 are copies.
     */
    public static DecodeMatrix of(NDArray weight, WeightsDtype dtype) {
        if (weight.getDataType() != DataType.FLOAT32 || weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException("expected a float32 [out, in] weight, got " + weight.getDataType() + " "
                    + weight.getShape());
        }
        int out = Math.toIntExact(weight.getShape().get(0));
        int in = Math.toIntExact(weight.getShape().get(1));
        return switch (dtype) {
            case FLOAT32 -> new Float32(weight, out, in);
            case BFLOAT16 -> new Bfloat16(weight.toFloatArray(), out, in);
            case INT8 -> new Int8(weight.toFloatArray(), out, in);
        };
    }

    /** A padded float32 heap copy of {@code weight} [out, in]: only DecodeKernelBenchmark's comparison with the in-place read. */
    public static DecodeMatrix heapFloat32(NDArray weight) {
        return new Float32Heap(weight.toFloatArray(), Math.toIntExact(weight.getShape().get(0)),
                Math.toIntExact(weight.getShape().get(1)));
    }

    /** The length an input row of width {@code in} is padded to for every kernel here (a multiple of 4 vectors). */
    public static int paddedWidth(int in) {
        int block = 4 * LANES;
        return (in + block - 1) / block * block;
    }

    /** Rows per chunk when {@code out} rows are split among {@code threads}: about 8 chunks per thread, >= 16 rows. */
    public static int grain(int out, int threads) {
        return Math.max(16, (out + 8 * threads - 1) / (8 * threads));
    }

    /** float32 read in place from the engine's (contiguous, native) memory; the weight array must outlive this. */
    static final class Float32 extends DecodeMatrix {
        private final ByteBuffer w;
        private final NDArray owner;

        Float32(NDArray weight, int out, int in) {
            super(out, in, LANES);
            this.owner = weight;
            ByteBuffer b = weight.toByteBuffer(true);
            if (!b.isDirect() || b.capacity() != (long) out * in * Float.BYTES) {
                throw new IllegalStateException("engine weight is not a contiguous native buffer");
            }
            this.w = b.order(ByteOrder.nativeOrder());
        }

        @Override
        public long ownedBytes() {
            return 0;
        }

        @Override
        public long bytes() {
            return (long) out * in * Float.BYTES;
        }

        @Override
        public void multiply(float[] x, int xo, float[] y, int yo, int from, int to) {
            ByteOrder order = ByteOrder.nativeOrder();
            int step = 4 * LANES;
            for (int r = from; r < to; r++) {
                long base = (long) r * in * Float.BYTES;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                int k = 0;
                for (; k + step <= in; k += step) {
                    int b = (int) (base + (long) k * Float.BYTES);
                    a0 = FloatVector.fromByteBuffer(F, w, b, order).fma(FloatVector.fromArray(F, x, xo + k), a0);
                    a1 = FloatVector.fromByteBuffer(F, w, b + 4 * LANES, order)
                            .fma(FloatVector.fromArray(F, x, xo + k + LANES), a1);
                    a2 = FloatVector.fromByteBuffer(F, w, b + 8 * LANES, order)
                            .fma(FloatVector.fromArray(F, x, xo + k + 2 * LANES), a2);
                    a3 = FloatVector.fromByteBuffer(F, w, b + 12 * LANES, order)
                            .fma(FloatVector.fromArray(F, x, xo + k + 3 * LANES), a3);
                }
                for (; k + LANES <= in; k += LANES) {
                    a0 = FloatVector.fromByteBuffer(F, w, (int) (base + (long) k * Float.BYTES), order)
                            .fma(FloatVector.fromArray(F, x, xo + k), a0);
                }
                float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
                for (; k < in; k++) { // rows narrower than whole vectors (e.g. SliceGPT widths)
                    sum += w.getFloat((int) (base + (long) k * Float.BYTES)) * x[xo + k];
                }
                y[yo + r] = sum;
            }
        }
    }

    /** float32 in a heap array, rows padded to whole vectors. */
    static final class Float32Heap extends DecodeMatrix {
        private final float[] w;

        Float32Heap(float[] weight, int out, int in) {
            super(out, in, LANES);
            w = new float[Math.multiplyExact(out, paddedIn)];
            for (int r = 0; r < out; r++) {
                System.arraycopy(weight, r * in, w, r * paddedIn, in);
            }
        }

        @Override
        public long bytes() {
            return (long) out * paddedIn * Float.BYTES;
        }

        @Override
        public void multiply(float[] x, int xo, float[] y, int yo, int from, int to) {
            int step = 4 * LANES;
            for (int r = from; r < to; r++) {
                int base = r * paddedIn;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                int k = 0;
                for (; k + step <= paddedIn; k += step) {
                    a0 = FloatVector.fromArray(F, w, base + k).fma(FloatVector.fromArray(F, x, xo + k), a0);
                    a1 = FloatVector.fromArray(F, w, base + k + LANES)
                            .fma(FloatVector.fromArray(F, x, xo + k + LANES), a1);
                    a2 = FloatVector.fromArray(F, w, base + k + 2 * LANES)
                            .fma(FloatVector.fromArray(F, x, xo + k + 2 * LANES), a2);
                    a3 = FloatVector.fromArray(F, w, base + k + 3 * LANES)
                            .fma(FloatVector.fromArray(F, x, xo + k + 3 * LANES), a3);
                }
                for (; k < paddedIn; k += LANES) {
                    a0 = FloatVector.fromArray(F, w, base + k).fma(FloatVector.fromArray(F, x, xo + k), a0);
                }
                y[yo + r] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /**
     * bfloat16 (round to nearest even), two per int: in each block of 2L inputs (L int lanes), lane i holds input
     * i in its low half and input L+i in its high half, so widening is a shift (low) or a mask (high) and a block
     * multiplies two contiguous runs of x.
     */
    static final class Bfloat16 extends DecodeMatrix {
        private final int[] w;
        private final int rowInts;

        Bfloat16(float[] weight, int out, int in) {
            super(out, in, 2 * LANES);
            rowInts = paddedIn / 2;
            w = new int[Math.multiplyExact(out, rowInts)];
            for (int r = 0; r < out; r++) {
                for (int block = 0; block < paddedIn; block += 2 * LANES) {
                    for (int i = 0; i < LANES; i++) {
                        int lo = bf16(weight, r, block + i);
                        int hi = bf16(weight, r, block + LANES + i);
                        w[r * rowInts + block / 2 + i] = lo | (hi << 16);
                    }
                }
            }
        }

        private int bf16(float[] weight, int r, int k) {
            return k < in ? toBfloat16(weight[r * in + k]) : 0;
        }

        @Override
        public long bytes() {
            return (long) out * rowInts * Integer.BYTES;
        }

        @Override
        public void multiply(float[] x, int xo, float[] y, int yo, int from, int to) {
            for (int r = from; r < to; r++) {
                int base = r * rowInts;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                int k = 0;
                int j = 0;
                for (; k + 4 * LANES <= paddedIn; k += 4 * LANES, j += 2 * LANES) {
                    IntVector v = IntVector.fromArray(I, w, base + j);
                    IntVector u = IntVector.fromArray(I, w, base + j + LANES);
                    a0 = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                            .fma(FloatVector.fromArray(F, x, xo + k), a0);
                    a1 = v.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xo + k + LANES), a1);
                    a2 = u.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                            .fma(FloatVector.fromArray(F, x, xo + k + 2 * LANES), a2);
                    a3 = u.and(0xFFFF0000).reinterpretAsFloats()
                            .fma(FloatVector.fromArray(F, x, xo + k + 3 * LANES), a3);
                }
                if (k < paddedIn) {
                    IntVector v = IntVector.fromArray(I, w, base + j);
                    a0 = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                            .fma(FloatVector.fromArray(F, x, xo + k), a0);
                    a1 = v.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xo + k + LANES), a1);
                }
                y[yo + r] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /**
     * int8 weight-only with one scale per output row, four per int: in each block of 4L inputs, lane i holds input
     * i + c*L in byte c, widened by an arithmetic shift pair and converted to float.
     */
    static final class Int8 extends DecodeMatrix {
        private final int[] w;
        private final float[] scales;
        private final int rowInts;

        Int8(float[] weight, int out, int in) {
            super(out, in, 4 * LANES);
            rowInts = paddedIn / 4;
            w = new int[Math.multiplyExact(out, rowInts)];
            scales = new float[out];
            byte[] q = new byte[paddedIn];
            for (int r = 0; r < out; r++) {
                float max = 0;
                for (int k = 0; k < in; k++) {
                    max = Math.max(max, Math.abs(weight[r * in + k]));
                }
                float scale = max / 127f;
                scales[r] = scale;
                for (int k = 0; k < paddedIn; k++) {
                    q[k] = k < in && scale > 0 ? (byte) Math.max(-127, Math.min(127,
                            Math.round(weight[r * in + k] / scale))) : 0;
                }
                for (int block = 0; block < paddedIn; block += 4 * LANES) {
                    for (int i = 0; i < LANES; i++) {
                        int packed = 0;
                        for (int c = 0; c < 4; c++) {
                            packed |= (q[block + c * LANES + i] & 0xFF) << (8 * c);
                        }
                        w[r * rowInts + block / 4 + i] = packed;
                    }
                }
            }
        }

        @Override
        public long bytes() {
            return (long) out * rowInts * Integer.BYTES + (long) out * Float.BYTES;
        }

        @Override
        public void multiply(float[] x, int xo, float[] y, int yo, int from, int to) {
            for (int r = from; r < to; r++) {
                int base = r * rowInts;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int k = 0, j = 0; k < paddedIn; k += 4 * LANES, j += LANES) {
                    IntVector v = IntVector.fromArray(I, w, base + j);
                    FloatVector b0 = (FloatVector) v.lanewise(VectorOperators.LSHL, 24)
                            .lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
                    FloatVector b1 = (FloatVector) v.lanewise(VectorOperators.LSHL, 16)
                            .lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
                    FloatVector b2 = (FloatVector) v.lanewise(VectorOperators.LSHL, 8)
                            .lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
                    FloatVector b3 = (FloatVector) v.lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0);
                    a0 = b0.fma(FloatVector.fromArray(F, x, xo + k), a0);
                    a1 = b1.fma(FloatVector.fromArray(F, x, xo + k + LANES), a1);
                    a2 = b2.fma(FloatVector.fromArray(F, x, xo + k + 2 * LANES), a2);
                    a3 = b3.fma(FloatVector.fromArray(F, x, xo + k + 3 * LANES), a3);
                }
                y[yo + r] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD) * scales[r];
            }
        }
    }

    /** float32 -> bfloat16 bits, rounded to nearest even (NaN kept a quiet NaN). */
    static int toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return 0x7FC0;
        }
        return ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16) & 0xFFFF;
    }
}
