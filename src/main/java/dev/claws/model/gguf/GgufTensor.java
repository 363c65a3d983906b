package dev.claws.model.gguf;

/**
 * One tensor info of a GGUF file.
 *
 * @param name   tensor name (llama.cpp's, e.g. "blk.0.attn_q.weight")
 * @param dims   dimensions as GGUF stores them, fastest-varying first (ggml's ne[0], ne[1], ...)
 * @param type   element type
 * @param offset byte offset of the data, relative to the start of the file's data section
 */
public record GgufTensor(String name, long[] dims, GgmlType type, long offset) {

    public GgufTensor {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Row-major shape as PyTorch and safetensors write it: the GGUF dims reversed. */
    public long[] shape() {
        long[] s = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = dims[dims.length - 1 - i];
        }
        return s;
    }

    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return type.bytesFor(elements());
    }
}
