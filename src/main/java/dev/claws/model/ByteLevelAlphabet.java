package dev.claws.model;

/**
 * GPT-2's bytes_to_unicode, the alphabet byte-level BPE vocabularies are spelled in: printable bytes ('!'..'~',
 * 0xA1..0xAC, 0xAE..0xFF) stand for themselves, the other 68 byte values for the code points 256, 257, ... in byte
 * order (the Hugging Face tokenizers ByteLevel pre-tokenizer and decoder use the same table).
 */
public final class ByteLevelAlphabet {

    private ByteLevelAlphabet() {
    }

    /** The character standing for each byte value, indexed by the unsigned byte. */
    public static String[] symbols() {
        String[] out = new String[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
            out[b] = new String(Character.toChars(printable ? b : 256 + n++));
        }
        return out;
    }
}
