package dev.claws.model.gguf;

import java.nio.ByteBuffer;
import java.util.stream.IntStream;

/**
 * ggml block formats to float32, as ggml-quants.c dequantize_row_* defines them (the float operations in the same
 * order, so the results equal the reference bit for bit). Blocks are independent, so large tensors are split into
 * chunks of blocks dequantized in parallel.
 */
final class Dequantizer {

    private static final int BLOCKS_PER_CHUNK = 4096;

    private Dequantizer() {
    }

    /** Dequantizes all of {@code src} (whole blocks of {@code type}, little-endian) into {@code out}. */
    static void dequantize(GgmlType type, ByteBuffer src, float[] out) {
        int blocks = out.length / type.blockSize();
        if ((long) blocks * type.typeSize() > src.remaining()) {
            throw new GgufException("tensor data too short: " + blocks + " " + type + " blocks need "
                    + (long) blocks * type.typeSize() + " bytes, got " + src.remaining());
        }
        int chunks = (blocks + BLOCKS_PER_CHUNK - 1) / BLOCKS_PER_CHUNK;
        IntStream range = IntStream.range(0, chunks);
        (chunks > 1 ? range.parallel() : range).forEach(c -> {
            int from = c * BLOCKS_PER_CHUNK;
            int to = Math.min(blocks, from + BLOCKS_PER_CHUNK);
            for (int b = from; b < to; b++) {
                block(type, src, b * type.typeSize(), out, b * type.blockSize());
            }
        });
    }

    private static void block(GgmlType type, ByteBuffer s, int p, float[] y, int o) {
        switch (type) {
            case F32: y[o] = s.getFloat(p); break;
            case F16: y[o] = half(s.getShort(p)); break;
            case BF16: y[o] = Float.intBitsToFloat((s.getShort(p) & 0xffff) << 16); break;
            case Q8_0: q8_0(s, p, y, o); break;
            case Q4_0: q4_0(s, p, y, o); break;
            case Q4_1: q4_1(s, p, y, o); break;
            case Q5_0: q5_0(s, p, y, o); break;
            case Q5_1: q5_1(s, p, y, o); break;
            case Q4_K: q4_k(s, p, y, o); break;
            case Q5_K: q5_k(s, p, y, o); break;
            case Q6_K: q6_k(s, p, y, o); break;
            default: throw new GgufException("tensor type " + type + " cannot be dequantized");
        }
    }

    private static int u8(ByteBuffer s, int p) {
        return s.get(p) & 0xff;
    }

    // block_q8_0: half d; int8 qs[32]
    private static void q8_0(ByteBuffer s, int p, float[] y, int o) {
        float d = half(s.getShort(p));
        for (int j = 0; j < 32; j++) {
            y[o + j] = s.get(p + 2 + j) * d;
        }
    }

    // block_q4_0: half d; uint8 qs[16] (low nibbles elements 0..15, high nibbles 16..31), offset 8
    private static void q4_0(ByteBuffer s, int p, float[] y, int o) {
        float d = half(s.getShort(p));
        for (int j = 0; j < 16; j++) {
            int q = u8(s, p + 2 + j);
            y[o + j] = ((q & 0x0f) - 8) * d;
            y[o + j + 16] = ((q >> 4) - 8) * d;
        }
    }

    // block_q4_1: half d, m; uint8 qs[16]
    private static void q4_1(ByteBuffer s, int p, float[] y, int o) {
        float d = half(s.getShort(p));
        float m = half(s.getShort(p + 2));
        for (int j = 0; j < 16; j++) {
            int q = u8(s, p + 4 + j);
            y[o + j] = (q & 0x0f) * d + m;
            y[o + j + 16] = (q >> 4) * d + m;
        }
    }

    // block_q5_0: half d; uint8 qh[4] (fifth bits); uint8 qs[16]; offset 16
    private static void q5_0(ByteBuffer s, int p, float[] y, int o) {
        float d = half(s.getShort(p));
        int qh = s.getInt(p + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, p + 6 + j);
            int h0 = ((qh >>> j) << 4) & 0x10;
            int h1 = (qh >>> (j + 12)) & 0x10;
            y[o + j] = (((q & 0x0f) | h0) - 16) * d;
            y[o + j + 16] = (((q >> 4) | h1) - 16) * d;
        }
    }

    // block_q5_1: half d, m; uint8 qh[4]; uint8 qs[16]
    private static void q5_1(ByteBuffer s, int p, float[] y, int o) {
        float d = half(s.getShort(p));
        float m = half(s.getShort(p + 2));
        int qh = s.getInt(p + 4);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, p + 8 + j);
            int h0 = ((qh >>> j) << 4) & 0x10;
            int h1 = (qh >>> (j + 12)) & 0x10;
            y[o + j] = ((q & 0x0f) | h0) * d + m;
            y[o + j + 16] = ((q >> 4) | h1) * d + m;
        }
    }

    /** get_scale_min_k4: the 6-bit scale (index 0) and min (index 1) of sub-block j from the 12 packed bytes. */
    private static int scale(ByteBuffer s, int scales, int j) {
        return j < 4 ? u8(s, scales + j) & 63
                : (u8(s, scales + j + 4) & 0x0f) | ((u8(s, scales + j - 4) >> 6) << 4);
    }

    private static int min(ByteBuffer s, int scales, int j) {
        return j < 4 ? u8(s, scales + j + 4) & 63
                : (u8(s, scales + j + 4) >> 4) | ((u8(s, scales + j) >> 6) << 4);
    }

    // block_q4_K: half d, dmin; uint8 scales[12]; uint8 qs[128]; 8 sub-blocks of 32
    private static void q4_k(ByteBuffer s, int p, float[] y, int o) {
        float d = half(s.getShort(p));
        float dmin = half(s.getShort(p + 2));
        int scales = p + 4;
        int q = p + 16;
        int is = 0;
        for (int j = 0; j < 256; j += 64) {
            float d1 = d * scale(s, scales, is);
            float m1 = dmin * min(s, scales, is);
            float d2 = d * scale(s, scales, is + 1);
            float m2 = dmin * min(s, scales, is + 1);
            for (int l = 0; l < 32; l++) {
                y[o++] = d1 * (u8(s, q + l) & 0x0f) - m1;
            }
            for (int l = 0; l < 32; l++) {
                y[o++] = d2 * (u8(s, q + l) >> 4) - m2;
            }
            q += 32;
            is += 2;
        }
    }

    // block_q5_K: half d, dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]
    private static void q5_k(ByteBuffer s, int p, float[] y, int o) {
        float d = half(s.getShort(p));
        float dmin = half(s.getShort(p + 2));
        int scales = p + 4;
        int qh = p + 16;
        int ql = p + 48;
        int is = 0;
        int u1 = 1;
        int u2 = 2;
        for (int j = 0; j < 256; j += 64) {
            float d1 = d * scale(s, scales, is);
            float m1 = dmin * min(s, scales, is);
            float d2 = d * scale(s, scales, is + 1);
            float m2 = dmin * min(s, scales, is + 1);
            for (int l = 0; l < 32; l++) {
                y[o++] = d1 * ((u8(s, ql + l) & 0x0f) + ((u8(s, qh + l) & u1) != 0 ? 16 : 0)) - m1;
            }
            for (int l = 0; l < 32; l++) {
                y[o++] = d2 * ((u8(s, ql + l) >> 4) + ((u8(s, qh + l) & u2) != 0 ? 16 : 0)) - m2;
            }
            ql += 32;
            is += 2;
            u1 <<= 2;
            u2 <<= 2;
        }
    }

    // block_q6_K: uint8 ql[128] (low 4 bits); uint8 qh[64] (high 2 bits); int8 scales[16]; half d
    private static void q6_k(ByteBuffer s, int p, float[] y, int o) {
        float d = half(s.getShort(p + 208));
        int ql = p;
        int qh = p + 128;
        int sc = p + 192;
        for (int n = 0; n < 256; n += 128) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int h = u8(s, qh + l);
                int q1 = ((u8(s, ql + l) & 0x0f) | ((h & 3) << 4)) - 32;
                int q2 = ((u8(s, ql + l + 32) & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
                int q3 = ((u8(s, ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                int q4 = ((u8(s, ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                y[o + l] = d * s.get(sc + is) * q1;
                y[o + l + 32] = d * s.get(sc + is + 2) * q2;
                y[o + l + 64] = d * s.get(sc + is + 4) * q3;
                y[o + l + 96] = d * s.get(sc + is + 6) * q4;
            }
            o += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }

    /** IEEE 754 binary16 to float32 (exact; Java 17 has no Float.float16ToFloat). */
    static float half(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24, exact in float32
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
