package dev.claws.model;

/** Receives each generated token as soon as it is chosen (streaming); returning false ends the generation. */
@FunctionalInterface
public interface TokenListener {

    TokenListener NONE = tokenId -> true;

    boolean onToken(long tokenId);
}
