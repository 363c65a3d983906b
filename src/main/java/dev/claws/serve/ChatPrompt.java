package dev.claws.serve;

import java.util.List;

/**
 * A conversation rendered with its variant's chat template, ready for generation.
 *
 * @param text         the rendered prompt (ending with the opening of the assistant's turn)
 * @param stopTokenIds token ids that end the assistant's turn: the model's eos_token_id(s), tokenizer_config.json's
 *                     eos_token and generation_config.json's eos_token_id
 */
public record ChatPrompt(String text, List<Integer> stopTokenIds) {

    public ChatPrompt {
        stopTokenIds = List.copyOf(stopTokenIds);
    }
}
