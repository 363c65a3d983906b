package dev.claws.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns requests that cannot be parsed into precise INVALID_ARGUMENT answers. Left to grpc-java, a proto3 string field
 * holding invalid UTF-8 fails inside the transport's parser and the client sees UNKNOWN "Application error processing
 * RPC". A guarded service receives its requests as bytes first; the guard names the first string field that is not
 * valid UTF-8 ("field prompt is not valid UTF-8") and only then lets the real parser run.
 */
final class MalformedRequests {

    private MalformedRequests() {
    }

    /** The service definition with every request checked before it is parsed. */
    static ServerServiceDefinition guard(ServerServiceDefinition service) {
        Map<String, Descriptor> requestTypes = new HashMap<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            MethodDescriptor.Marshaller<?> marshaller = method.getMethodDescriptor().getRequestMarshaller();
            if (marshaller instanceof MethodDescriptor.PrototypeMarshaller<?> prototype
                    && prototype.getMessagePrototype() instanceof Message message) {
                requestTypes.put(method.getMethodDescriptor().getFullMethodName(), message.getDescriptorForType());
            }
        }
        ServerServiceDefinition asBytes = ServerInterceptors.useMarshalledMessages(service, BYTES);
        // a lambda rather than a named ServerInterceptor class: Quarkus would report a named one as unused
        ServerInterceptor check = new Check(requestTypes)::interceptCall;
        return ServerInterceptors.intercept(asBytes, check);
    }

    /**
     * Path of the first string field (nested messages and repeated entries included, e.g. {@code stop[1]}) whose bytes
     * are not valid UTF-8, or null when every string is valid. Fields the descriptor does not know are skipped.
     */
    static String firstInvalidUtf8(byte[] message, Descriptor type) throws IOException {
        return firstInvalidUtf8(CodedInputStream.newInstance(message), type, "");
    }

    private static String firstInvalidUtf8(CodedInputStream in, Descriptor type, String prefix) throws IOException {
        Map<Integer, Integer> seen = new HashMap<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
            boolean delimited = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            if (field == null || !delimited || (field.getType() != FieldDescriptor.Type.STRING
                    && field.getType() != FieldDescriptor.Type.MESSAGE)) {
                in.skipField(tag);
                continue;
            }
            int index = seen.merge(field.getNumber(), 1, Integer::sum) - 1;
            String name = prefix + field.getName() + (field.isRepeated() ? "[" + index + "]" : "");
            ByteString value = in.readBytes();
            if (field.getType() == FieldDescriptor.Type.STRING) {
                if (!value.isValidUtf8()) {
                    return name;
                }
            } else {
                String nested = firstInvalidUtf8(value.newCodedInput(), field.getMessageType(), name + ".");
                if (nested != null) {
                    return nested;
                }
            }
        }
        return null;
    }

    /** Checks each request's bytes before handing them on to be parsed. */
    private static final class Check {
        private final Map<String, Descriptor> requestTypes;

        Check(Map<String, Descriptor> requestTypes) {
            this.requestTypes = requestTypes;
        }

        <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            Descriptor type = requestTypes.get(call.getMethodDescriptor().getFullMethodName());
            return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                private boolean refused;

                @Override
                public void onMessage(Q message) {
                    if (refused) {
                        return;
                    }
                    String problem = problem((byte[]) message, type);
                    if (problem == null) {
                        try {
                            super.onMessage(message);
                            return;
                        } catch (RuntimeException e) {
                            problem = "the request is not a valid " + (type == null ? "message" : type.getFullName())
                                    + " message";
                        }
                    }
                    refused = true;
                    call.close(Status.INVALID_ARGUMENT.withDescription(problem), new Metadata());
                }

                @Override
                public void onHalfClose() {
                    if (!refused) {
                        super.onHalfClose();
                    }
                }
            };
        }

        private static String problem(byte[] message, Descriptor type) {
            if (type == null) {
                return null;
            }
            try {
                String field = firstInvalidUtf8(message, type);
                return field == null ? null : "field " + field + " is not valid UTF-8";
            } catch (IOException e) {
                return "the request is not a valid " + type.getFullName() + " message: " + e.getMessage();
            }
        }
    }

    /** Passes request and response bytes through unchanged, so the guard sees them before protobuf parses them. */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
}
