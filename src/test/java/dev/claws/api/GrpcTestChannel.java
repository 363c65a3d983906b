package dev.claws.api;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;

/** A plaintext channel to the gRPC server of the running test application (its port is chosen at random). */
final class GrpcTestChannel {

    private GrpcTestChannel() {
    }

    static ManagedChannel open() {
        // Quarkus publishes the port it actually bound as quarkus.grpc.server.test-port once the server is up
        String port = System.getProperty("quarkus.grpc.server.test-port",
                ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", String.class));
        return ManagedChannelBuilder.forAddress("localhost", Integer.parseInt(port)).usePlaintext().build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static <S extends AbstractStub<S>> S withAuthorization(S stub, String value) {
        Metadata headers = new Metadata();
        headers.put(AdminTokenInterceptor.AUTHORIZATION, value);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
