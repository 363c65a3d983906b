package dev.claws.api;

import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.GenerateResponse;
import dev.claws.api.v1.GenerateStreamResponse;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.api.v1.ScoreRequest;
import dev.claws.api.v1.ScoreResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/** The Inference service; its methods arrive with the inference engine and the serving work. */
@GrpcService
public class InferenceService extends InferenceGrpc.InferenceImplBase {

    private static final String ENGINE = "the inference engine lands with the serving work";

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> observer) {
        Unimplemented.answer(observer, "Generate", ENGINE);
    }

    @Override
    public void generateStream(GenerateRequest request, StreamObserver<GenerateStreamResponse> observer) {
        Unimplemented.answer(observer, "GenerateStream", ENGINE);
    }

    @Override
    public void score(ScoreRequest request, StreamObserver<ScoreResponse> observer) {
        Unimplemented.answer(observer, "Score", "scoring lands with the serving and evaluation work");
    }
}
