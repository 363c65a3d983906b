package dev.claws.serve;

import dev.claws.model.EngineOptions;
import dev.claws.model.WeightsDtype;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** claws.engine.* values become the server's EngineOptions; a bad decode-weights value is named with its key. */
class EngineOptionsProducerTest {

    @Test
    void valuesBecomeOptionsAndABadDtypeNamesItsKey() {
        EngineOptions options = EngineOptionsProducer.options("cpu", "INT8");
        assertEquals("cpu", options.device());
        assertEquals(WeightsDtype.INT8, options.decodeWeights());
        assertEquals(0, options.intraOpThreads(), "PyTorch's own thread count");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineOptionsProducer.options("cpu", "int4"));
        assertEquals("invalid configuration: claws.engine.decode-weights must be float32, bfloat16 or int8, got 'int4'",
                e.getMessage());
    }
}
