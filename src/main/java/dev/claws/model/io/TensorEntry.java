package dev.claws.model.io;

import java.util.Arrays;

/** One tensor's header entry: dtype, shape and its byte range relative to the start of the data section. */
public record TensorEntry(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
