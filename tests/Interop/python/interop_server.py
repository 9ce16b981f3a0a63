#!/usr/bin/python3
"""gRPC interop test server (grpc.testing.TestService) on python3-grpcio.

Implements the server features of the public gRPC interop test description
(doc/interop-test-descriptions.md, "Server" section): EmptyCall, UnaryCall,
CacheableUnaryCall, StreamingOutputCall, StreamingInputCall, FullDuplexCall
and HalfDuplexCall, with CompressedResponse, CompressedRequest, Echo Status,
Echo Metadata and ResponseParameters.interval_us. UnimplementedCall is left
unimplemented on purpose (the client expects UNIMPLEMENTED), and
grpc.testing.UnimplementedService is not registered at all.

Message classes come from a FileDescriptorSet (see descriptors.py), so run:

    /usr/bin/python3 interop_server.py --descriptor_set interop.pb --port 0

Once listening it prints ``READY <port>`` on stdout and serves until SIGTERM
or SIGINT, then stops gracefully and exits 0.

Compression, and what python-grpcio can and cannot do about it:

* Response compression is chosen with ``context.set_compression`` for the
  whole call, which must happen before the response headers go out (the
  algorithm is announced in them); single messages are then sent
  uncompressed with ``context.disable_next_message_compression()``.
  Duplex calls therefore enable gzip for the call up front and clear the
  flag on every message that did not ask for compression.
* Request compression (``expect_compressed``): python-grpcio does not tell a
  handler whether a request message was compressed, nor show the call's
  ``grpc-encoding`` header. The server therefore turns off grpc-core's
  automatic decompression; a compressed request then reaches the
  deserializer as compressed bytes, which descriptors.sniff_decompress
  recognises (gzip exactly, deflate by a checked header) and inflates. This
  gives the per-message compressed flag, so ``expect_compressed: true`` on an
  uncompressed message is answered with INVALID_ARGUMENT as the spec asks.
  ``expect_compressed: false`` is not enforced: clients that can only
  compress a whole call (python-grpcio among them) send the second message
  of client_compressed_streaming compressed too, and the spec only defines
  the failure for the ``true`` case.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from concurrent import futures

import grpc

import descriptors
from descriptors import DescriptorSet, Inbound, encode, inbound_decoder

TEST_SERVICE = "grpc.testing.TestService"

# Echo Metadata keys of the interop spec.
ECHO_INITIAL_KEY = "x-grpc-test-echo-initial"
ECHO_TRAILING_KEY = "x-grpc-test-echo-trailing-bin"

# grpc.testing.PayloadType.COMPRESSABLE, the only payload type the suite uses.
COMPRESSABLE = 0

# Status codes by their number, for Echo Status (EchoStatus.code is an int).
_STATUS_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}


def _pause(context: grpc.ServicerContext, seconds: float) -> None:
    """Sleeps ``seconds``, returning early once the call is over.

    Sleeping in short slices keeps a huge interval_us from holding a worker
    thread (and so the process exit after SIGTERM) long after the call ended.
    """
    deadline = time.monotonic() + seconds
    while context.is_active():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        time.sleep(min(remaining, 0.05))


class TestService:
    """The handlers of grpc.testing.TestService."""

    def __init__(self, types: DescriptorSet) -> None:
        self.Empty = types.message("grpc.testing.Empty")
        self.Payload = types.message("grpc.testing.Payload")
        self.SimpleRequest = types.message("grpc.testing.SimpleRequest")
        self.SimpleResponse = types.message("grpc.testing.SimpleResponse")
        self.StreamingInputCallRequest = types.message("grpc.testing.StreamingInputCallRequest")
        self.StreamingInputCallResponse = types.message("grpc.testing.StreamingInputCallResponse")
        self.StreamingOutputCallRequest = types.message("grpc.testing.StreamingOutputCallRequest")
        self.StreamingOutputCallResponse = types.message("grpc.testing.StreamingOutputCallResponse")
        # Fails early if the descriptor set lacks the service.
        types.method_path(TEST_SERVICE, "FullDuplexCall")

    def generic_handler(self) -> grpc.GenericRpcHandler:
        """The handler to register; UnimplementedCall is deliberately absent."""

        def handler(kind, behaviour, request_cls):
            return kind(
                behaviour,
                request_deserializer=inbound_decoder(request_cls),
                response_serializer=encode,
            )

        unary = grpc.unary_unary_rpc_method_handler
        return grpc.method_handlers_generic_handler(
            TEST_SERVICE,
            {
                "EmptyCall": handler(unary, self.empty_call, self.Empty),
                "UnaryCall": handler(unary, self.unary_call, self.SimpleRequest),
                "CacheableUnaryCall": handler(unary, self.cacheable_unary_call, self.SimpleRequest),
                "StreamingOutputCall": handler(
                    grpc.unary_stream_rpc_method_handler,
                    self.streaming_output_call,
                    self.StreamingOutputCallRequest,
                ),
                "StreamingInputCall": handler(
                    grpc.stream_unary_rpc_method_handler,
                    self.streaming_input_call,
                    self.StreamingInputCallRequest,
                ),
                "FullDuplexCall": handler(
                    grpc.stream_stream_rpc_method_handler,
                    self.full_duplex_call,
                    self.StreamingOutputCallRequest,
                ),
                "HalfDuplexCall": handler(
                    grpc.stream_stream_rpc_method_handler,
                    self.half_duplex_call,
                    self.StreamingOutputCallRequest,
                ),
            },
        )

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _echo_metadata(context: grpc.ServicerContext, extra_initial=()) -> None:
        """Echo Metadata: returns the test keys in initial/trailing metadata.

        Initial metadata can be sent only once per call, so anything else a
        handler wants in it comes in through ``extra_initial``. Call this
        after ``set_compression``: the headers announce the algorithm.
        """
        initial = list(extra_initial)
        trailing = []
        for key, value in context.invocation_metadata():
            if key == ECHO_INITIAL_KEY:
                initial.append((key, value))
            elif key == ECHO_TRAILING_KEY:
                trailing.append((key, value))
        if initial:
            context.send_initial_metadata(initial)
        if trailing:
            context.set_trailing_metadata(trailing)

    @staticmethod
    def _check_inbound(inbound: Inbound, context: grpc.ServicerContext) -> None:
        """Aborts on an oversized message, or on a CompressedRequest violation.

        CompressedRequest: a message whose ``expect_compressed`` is true must
        have arrived compressed (see the module docstring for how we know).
        """
        if inbound.error is not None:
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, str(inbound.error))
        message = inbound.message
        expect_compressed = (
            "expect_compressed" in message.DESCRIPTOR.fields_by_name
            and message.expect_compressed.value
        )
        if expect_compressed and not inbound.compressed:
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                "expect_compressed is set but the request message was not compressed",
            )

    @staticmethod
    def _end_with_requested_status(echo_status, context: grpc.ServicerContext) -> None:
        """Echo Status: ends the call with the requested non-OK status."""
        if echo_status.code == 0:
            return
        # python-grpcio can only send the codes it has names for (0..16).
        code = _STATUS_BY_NUMBER.get(echo_status.code, grpc.StatusCode.UNKNOWN)
        context.abort(code, echo_status.message)

    def _payload(self, response_type: int, size: int, context: grpc.ServicerContext):
        if response_type != COMPRESSABLE:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unsupported response_type {response_type}")
        if size < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"negative response size {size}")
        return self.Payload(type=COMPRESSABLE, body=bytes(size))

    def _responses(self, request, context: grpc.ServicerContext):
        """Yields one response per ResponseParameters of ``request``.

        Observes interval_us (a sleep before each response) and the
        per-message ``compressed`` flag; the caller has already enabled gzip
        for the call if any message may need it.
        """
        for params in request.response_parameters:
            if params.interval_us > 0:
                _pause(context, params.interval_us / 1_000_000)
            if not context.is_active():
                return  # cancelled or past its deadline while pausing
            payload = self._payload(request.response_type, params.size, context)
            if not params.compressed.value:
                context.disable_next_message_compression()
            yield self.StreamingOutputCallResponse(payload=payload)

    # --------------------------------------------------------------- handlers

    def empty_call(self, inbound: Inbound, context):
        self._check_inbound(inbound, context)
        self._echo_metadata(context)
        return self.Empty()

    def unary_call(self, inbound: Inbound, context):
        self._check_inbound(inbound, context)
        request = inbound.message
        # Decide compression before anything sends the headers.
        if request.response_compressed.value:
            context.set_compression(grpc.Compression.Gzip)
        else:
            context.disable_next_message_compression()
        self._echo_metadata(context)
        self._end_with_requested_status(request.response_status, context)
        # fill_username / fill_oauth_scope / fill_server_id / grpclb route
        # type need authentication or load balancing and are not supported.
        payload = self._payload(request.response_type, request.response_size, context)
        return self.SimpleResponse(payload=payload)

    def cacheable_unary_call(self, inbound: Inbound, context):
        self._check_inbound(inbound, context)
        self._echo_metadata(context, extra_initial=[("cache-control", "max-age=60")])
        # The request is ignored; the body only has to differ between calls.
        body = str(time.time_ns()).encode("ascii")
        return self.SimpleResponse(payload=self.Payload(type=COMPRESSABLE, body=body))

    def streaming_output_call(self, inbound: Inbound, context):
        self._check_inbound(inbound, context)
        request = inbound.message
        # The whole request is known up front: enable gzip for the call only
        # if some response asks for it; _responses() clears it per message.
        if any(p.compressed.value for p in request.response_parameters):
            context.set_compression(grpc.Compression.Gzip)
        self._echo_metadata(context)
        self._end_with_requested_status(request.response_status, context)
        yield from self._responses(request, context)

    def streaming_input_call(self, request_iterator, context):
        self._echo_metadata(context)
        total = 0
        for inbound in request_iterator:
            self._check_inbound(inbound, context)
            total += len(inbound.message.payload.body)
        return self.StreamingInputCallResponse(aggregated_payload_size=total)

    def full_duplex_call(self, request_iterator, context):
        # Later requests may ask for compressed responses, but the headers
        # (sent at once so that metadata is echoed without waiting for a
        # request) fix the call's algorithm: enable gzip now and clear the
        # flag on each message that did not ask for it.
        context.set_compression(grpc.Compression.Gzip)
        self._echo_metadata(context)
        for inbound in request_iterator:
            self._check_inbound(inbound, context)
            request = inbound.message
            # Echo Status ends the call at once; later requests are ignored.
            self._end_with_requested_status(request.response_status, context)
            yield from self._responses(request, context)
        # Client half-closed and every response was sent: end with OK.

    def half_duplex_call(self, request_iterator, context):
        context.set_compression(grpc.Compression.Gzip)  # as in full_duplex_call
        self._echo_metadata(context)
        buffered = []
        for inbound in request_iterator:
            self._check_inbound(inbound, context)
            self._end_with_requested_status(inbound.message.response_status, context)
            buffered.append(inbound.message)
        for request in buffered:
            yield from self._responses(request, context)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    descriptors.add_server_arguments(parser)
    parser.add_argument("--workers", type=int, default=16, help="handler threads (default 16)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    service = TestService(DescriptorSet(args.descriptor_set))
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=args.workers),
        options=descriptors.COMMON_SERVER_OPTIONS
        + [
            # Requests reach the handlers still compressed (see module doc).
            descriptors.DISABLE_CORE_DECOMPRESSION,
            ("grpc.max_receive_message_length", descriptors.DEFAULT_MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", -1),
        ],
    )
    server.add_generic_rpc_handlers((service.generic_handler(),))
    port = descriptors.bind(server, args)
    return descriptors.serve_until_signalled(server, port)


if __name__ == "__main__":
    sys.exit(main())
