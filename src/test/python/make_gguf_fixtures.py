#!/usr/bin/env python3
"""Regenerates the GGUF reader fixtures under src/test/resources/fixtures/gguf.

blocks.gguf (GGUF v3, general.alignment 64) holds, for every tensor type claws dequantizes (F32, F16, BF16, Q8_0, Q4_0,
Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K), a tensor "<type>" of 2 rows x 512 elements with the raw block bytes, and a tensor
"<type>.expected" (F32, same shape) with what the gguf package's reference dequantizer (gguf.quants.dequantize) makes
of those bytes. The blocks are random bytes whose float16 scale fields are overwritten with finite values, so every
bit of every quant field is exercised. The metadata holds one key of every GGUF value type, plus arrays of several
element types (and an array of arrays); general.architecture is "claws-test", an architecture claws does not load.

Run: .venv/bin/python src/test/python/make_gguf_fixtures.py
The Java test suite only reads the committed output; it never runs Python.
"""
import pathlib

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "fixtures" / "gguf"
ROWS, COLS = 2, 512
RNG = np.random.default_rng(14)

# byte offsets of the float16 scale fields inside one block, per type
F16_FIELDS = {
    T.Q8_0: [0], T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2],
    T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}


def random_blocks(qtype):
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    n_blocks = ROWS * COLS // block
    if qtype == T.F32:
        return RNG.standard_normal(ROWS * COLS).astype(np.float32).view(np.uint8)
    if qtype == T.F16:
        return RNG.standard_normal(ROWS * COLS).astype(np.float16).view(np.uint8)
    if qtype == T.BF16:
        f = RNG.standard_normal(ROWS * COLS).astype(np.float32)
        return (f.view(np.uint32) >> 16).astype(np.uint16).view(np.uint8)
    raw = RNG.integers(0, 256, size=(n_blocks, size), dtype=np.uint8)
    for off in F16_FIELDS[qtype]:
        scale = (RNG.standard_normal(n_blocks) * 0.05).astype(np.float16)
        raw[:, off:off + 2] = scale.view(np.uint8).reshape(n_blocks, 2)
    return raw.reshape(-1)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    w = gguf.GGUFWriter(str(OUT / "blocks.gguf"), "claws-test")
    w.add_custom_alignment(64)
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("test.u32", 4000000000)
    w.add_int32("test.i32", -2000000000)
    w.add_uint64("test.u64", 1 << 40)
    w.add_int64("test.i64", -(1 << 40))
    w.add_float32("test.f32", 0.25)
    w.add_float64("test.f64", -1.5e-300)
    w.add_bool("test.bool", True)
    w.add_string("test.string", "h\u00e9llo \U0001F600")
    w.add_array("test.array_i32", [1, -2, 3])
    w.add_array("test.array_f32", [0.5, -0.25])
    w.add_array("test.array_str", ["a", "", "\u00fc"])
    w.add_array("test.array_bool", [True, False])
    w.add_array("test.array_nested", [[1, 2], [3]])
    for qtype in [T.F32, T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q4_K, T.Q5_K, T.Q6_K]:
        raw = random_blocks(qtype)
        expected = dequantize(raw.reshape(ROWS, -1), qtype).astype(np.float32)
        assert expected.shape == (ROWS, COLS), expected.shape
        assert np.isfinite(expected).all()
        w.add_tensor(qtype.name, raw.reshape(ROWS, -1), raw_dtype=qtype)
        w.add_tensor(qtype.name + ".expected", expected)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print("wrote", OUT / "blocks.gguf", (OUT / "blocks.gguf").stat().st_size, "bytes")


if __name__ == "__main__":
    main()
