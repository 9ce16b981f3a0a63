#!/usr/bin/python3
"""gRPC interop test client on python3-grpcio.

Runs the standard test cases of the public gRPC interop test description
(doc/interop-test-descriptions.md, "Client" section) against a server of
grpc.testing.TestService, plus three extra cases for servers that also offer
health checking and server reflection (health_check, health_watch,
reflection_list_services). The extras run only when named, or with
``--test_case=all_with_extras``.

    /usr/bin/python3 interop_client.py --descriptor_set interop.pb \\
        --server_port 50051 --test_case all

Prints ``PASS <case>`` or ``FAIL <case>: <reason>`` per case (and a few
``INFO`` lines), and exits 1 if any case failed, 2 on bad arguments.

Compression flags: python-grpcio does not expose the compressed flag of a
received message. The client therefore turns off grpc-core's automatic
decompression on its channel, so a compressed response reaches the
deserializer as compressed bytes, and inflates it itself
(descriptors.sniff_decompress). That lets server_compressed_unary and
server_compressed_streaming assert the flag as the spec asks. The channel
advertises only identity and gzip, so servers pick gzip. On the sending
side, python-grpcio can only compress whole calls (``compression=`` per
call), never single messages of a stream: in client_compressed_streaming
both messages of the second call go out compressed, which the spec allows
for the one whose ``expect_compressed`` is false.
"""

from __future__ import annotations

import argparse
import queue
import sys
from typing import Callable, Iterator, Optional

import grpc
from google.protobuf import descriptor_pb2

import descriptors
from descriptors import DescriptorSet, encode, inbound_decoder, plain_decoder

TEST_SERVICE = "grpc.testing.TestService"

# Test cases of the interop spec, in the order the spec lists them.
STANDARD_CASES = [
    "empty_unary",
    "large_unary",
    "client_compressed_unary",
    "server_compressed_unary",
    "client_streaming",
    "client_compressed_streaming",
    "server_streaming",
    "server_compressed_streaming",
    "ping_pong",
    "empty_stream",
    "cancel_after_begin",
    "cancel_after_first_response",
    "timeout_on_sleeping_server",
    "custom_metadata",
    "status_code_and_message",
    "special_status_message",
    "unimplemented_method",
    "unimplemented_service",
]

# Cases for services beyond TestService; only run when asked for.
EXTRA_CASES = ["health_check", "health_watch", "reflection_list_services"]

# Sizes used throughout the spec.
LARGE_REQUEST_SIZE = 271828
LARGE_RESPONSE_SIZE = 314159
STREAM_REQUEST_SIZES = [27182, 8, 1828, 45904]
STREAM_RESPONSE_SIZES = [31415, 9, 2653, 58979]

ECHO_INITIAL_KEY = "x-grpc-test-echo-initial"
ECHO_INITIAL_VALUE = "test_initial_metadata_value"
ECHO_TRAILING_KEY = "x-grpc-test-echo-trailing-bin"
ECHO_TRAILING_VALUE = b"\xab\xab\xab"

SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"

# grpc-core's bitset of enabled algorithms: identity (bit 0) and gzip (bit 2).
IDENTITY_AND_GZIP = (1 << 0) | (1 << 2)


class TestFailure(Exception):
    """A test case's assertion did not hold."""


def check(condition: bool, reason: str) -> None:
    if not condition:
        raise TestFailure(reason)


def expect_status(
    invoke: Callable[[], object],
    code: grpc.StatusCode,
    what: str,
    details: Optional[str] = None,
) -> grpc.RpcError:
    """Runs ``invoke`` and checks that it fails with ``code`` (and ``details``)."""
    try:
        invoke()
    except grpc.RpcError as error:
        check(
            error.code() == code,
            f"{what}: ended with {error.code().name} ({error.details()!r}), expected {code.name}",
        )
        if details is not None:
            got = (error.details() or "").encode("utf-8")
            check(
                got == details.encode("utf-8"),
                f"{what}: status message {got!r}, expected {details.encode('utf-8')!r}",
            )
        return error
    raise TestFailure(f"{what}: succeeded, expected {code.name}")


def check_payload(payload, size: int, what: str) -> None:
    """Checks a payload body is ``size`` zero bytes."""
    check(len(payload.body) == size, f"{what}: payload of {len(payload.body)} bytes, expected {size}")
    check(payload.body == bytes(size), f"{what}: payload body is not all zeros")


def metadata_values(metadata, key: str) -> list:
    return [value for k, value in (metadata or ()) if k == key]


class RequestQueue:
    """A request stream fed from the test's own thread.

    grpc consumes the iterator on a thread of its own; a test case puts each
    message when it wants it sent (e.g. only after reading the previous
    response) and closes the queue to half-close the call. Cases close it in
    ``finally`` so grpc's thread never stays blocked on an abandoned call.
    """

    _CLOSE = object()

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue()

    def put(self, message) -> None:
        self._queue.put(message)

    def close(self) -> None:
        self._queue.put(self._CLOSE)

    def __iter__(self) -> Iterator:
        while True:
            item = self._queue.get()
            if item is self._CLOSE:
                return
            yield item


class InteropClient:
    """One method per test case; every call shares one channel."""

    def __init__(self, channel: grpc.Channel, types: DescriptorSet, timeout: float) -> None:
        self._channel = channel
        self._types = types
        self._timeout = timeout

        message = types.message
        self.Empty = message("grpc.testing.Empty")
        self.BoolValue = message("grpc.testing.BoolValue")
        self.Payload = message("grpc.testing.Payload")
        self.EchoStatus = message("grpc.testing.EchoStatus")
        self.SimpleRequest = message("grpc.testing.SimpleRequest")
        self.SimpleResponse = message("grpc.testing.SimpleResponse")
        self.StreamingInputCallRequest = message("grpc.testing.StreamingInputCallRequest")
        self.StreamingInputCallResponse = message("grpc.testing.StreamingInputCallResponse")
        self.ResponseParameters = message("grpc.testing.ResponseParameters")
        self.StreamingOutputCallRequest = message("grpc.testing.StreamingOutputCallRequest")
        self.StreamingOutputCallResponse = message("grpc.testing.StreamingOutputCallResponse")

        path = lambda method: types.method_path(TEST_SERVICE, method)  # noqa: E731
        # Plain stubs return bare messages; the "_flagged" ones return
        # descriptors.Inbound, which also tells whether the response was
        # compressed and its size once decompressed.
        self.empty_call_flagged = self._unary(path("EmptyCall"), self.Empty, flagged=True)
        self.unary_call = self._unary(path("UnaryCall"), self.SimpleResponse)
        self.unary_call_flagged = self._unary(path("UnaryCall"), self.SimpleResponse, flagged=True)
        self.streaming_output_call = channel.unary_stream(
            path("StreamingOutputCall"),
            request_serializer=encode,
            response_deserializer=plain_decoder(self.StreamingOutputCallResponse),
        )
        self.streaming_output_call_flagged = channel.unary_stream(
            path("StreamingOutputCall"),
            request_serializer=encode,
            response_deserializer=inbound_decoder(self.StreamingOutputCallResponse),
        )
        self.streaming_input_call = channel.stream_unary(
            path("StreamingInputCall"),
            request_serializer=encode,
            response_deserializer=plain_decoder(self.StreamingInputCallResponse),
        )
        self.full_duplex_call = channel.stream_stream(
            path("FullDuplexCall"),
            request_serializer=encode,
            response_deserializer=plain_decoder(self.StreamingOutputCallResponse),
        )
        self.unimplemented_call = self._unary(path("UnimplementedCall"), self.Empty)
        self.unimplemented_service_call = self._unary(
            types.method_path("grpc.testing.UnimplementedService", "UnimplementedCall"), self.Empty
        )

    def _unary(self, method_path: str, response_cls: type, flagged: bool = False):
        decoder = inbound_decoder if flagged else plain_decoder
        return self._channel.unary_unary(
            method_path, request_serializer=encode, response_deserializer=decoder(response_cls)
        )

    # ------------------------------------------------------------ builders

    def _large_request(self, **fields):
        return self.SimpleRequest(
            response_size=LARGE_RESPONSE_SIZE,
            payload=self.Payload(body=bytes(LARGE_REQUEST_SIZE)),
            **fields,
        )

    def _output_request(self, response_sizes, request_size: Optional[int] = None, **fields):
        request = self.StreamingOutputCallRequest(
            response_parameters=[self.ResponseParameters(size=size) for size in response_sizes],
            **fields,
        )
        if request_size is not None:
            request.payload.body = bytes(request_size)
        return request

    # ---------------------------------------------------------- test cases

    def empty_unary(self) -> None:
        response = self.empty_call_flagged(self.Empty(), timeout=self._timeout)
        check(response is not None and response.message is not None, "no response")
        # The raw view of the wire lets us check what the spec calls ideal.
        check(response.wire_size == 0, f"response was {response.wire_size} bytes, expected 0")

    def large_unary(self) -> None:
        response = self.unary_call(self._large_request(), timeout=self._timeout)
        check_payload(response.payload, LARGE_RESPONSE_SIZE, "response")

    def client_compressed_unary(self) -> None:
        expect = lambda value: self._large_request(expect_compressed=self.BoolValue(value=value))  # noqa: E731
        # 1. Feature probe: uncompressed although expect_compressed is true.
        expect_status(
            lambda: self.unary_call(expect(True), timeout=self._timeout, compression=grpc.Compression.NoCompression),
            grpc.StatusCode.INVALID_ARGUMENT,
            "uncompressed probe with expect_compressed=true",
        )
        # 2. Compressed, as expected.
        response = self.unary_call(expect(True), timeout=self._timeout, compression=grpc.Compression.Gzip)
        check_payload(response.payload, LARGE_RESPONSE_SIZE, "compressed call")
        # 3. Uncompressed, as expected.
        response = self.unary_call(
            expect(False), timeout=self._timeout, compression=grpc.Compression.NoCompression
        )
        check_payload(response.payload, LARGE_RESPONSE_SIZE, "uncompressed call")

    def server_compressed_unary(self) -> None:
        for compressed in (True, False):
            request = self._large_request(response_compressed=self.BoolValue(value=compressed))
            response = self.unary_call_flagged(request, timeout=self._timeout)
            what = f"response_compressed={str(compressed).lower()}"
            check(
                response.compressed == compressed,
                f"{what}: response compressed flag is {response.compressed}",
            )
            check_payload(response.message.payload, LARGE_RESPONSE_SIZE, what)

    def client_streaming(self) -> None:
        requests = [
            self.StreamingInputCallRequest(payload=self.Payload(body=bytes(size)))
            for size in STREAM_REQUEST_SIZES
        ]
        response = self.streaming_input_call(iter(requests), timeout=self._timeout)
        check(
            response.aggregated_payload_size == 74922,
            f"aggregated_payload_size {response.aggregated_payload_size}, expected 74922",
        )

    def client_compressed_streaming(self) -> None:
        def request(expect_compressed: bool, size: int):
            return self.StreamingInputCallRequest(
                expect_compressed=self.BoolValue(value=expect_compressed),
                payload=self.Payload(body=bytes(size)),
            )

        # 1. Feature probe: one uncompressed message expecting compression.
        expect_status(
            lambda: self.streaming_input_call(
                iter([request(True, 27182)]),
                timeout=self._timeout,
                compression=grpc.Compression.NoCompression,
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "uncompressed probe with expect_compressed=true",
        )
        # 2. python-grpcio compresses the whole call, so the second message
        #    (expect_compressed=false) is compressed too; see module doc.
        response = self.streaming_input_call(
            iter([request(True, 27182), request(False, 45904)]),
            timeout=self._timeout,
            compression=grpc.Compression.Gzip,
        )
        check(
            response.aggregated_payload_size == 73086,
            f"aggregated_payload_size {response.aggregated_payload_size}, expected 73086",
        )

    def server_streaming(self) -> None:
        call = self.streaming_output_call(
            self._output_request(STREAM_RESPONSE_SIZES), timeout=self._timeout
        )
        responses = list(call)
        sizes = [len(r.payload.body) for r in responses]
        check(sizes == STREAM_RESPONSE_SIZES, f"response sizes {sizes}, expected {STREAM_RESPONSE_SIZES}")
        for index, response in enumerate(responses):
            check_payload(response.payload, STREAM_RESPONSE_SIZES[index], f"response {index}")
        check(call.code() == grpc.StatusCode.OK, f"ended with {call.code()}")

    def server_compressed_streaming(self) -> None:
        request = self.StreamingOutputCallRequest(
            response_parameters=[
                self.ResponseParameters(size=31415, compressed=self.BoolValue(value=True)),
                self.ResponseParameters(size=92653, compressed=self.BoolValue(value=False)),
            ]
        )
        call = self.streaming_output_call_flagged(request, timeout=self._timeout)
        responses = list(call)
        check(len(responses) == 2, f"{len(responses)} responses, expected 2")
        flags = [r.compressed for r in responses]
        check(flags == [True, False], f"compressed flags {flags}, expected [True, False]")
        check_payload(responses[0].message.payload, 31415, "response 0")
        check_payload(responses[1].message.payload, 92653, "response 1")
        check(call.code() == grpc.StatusCode.OK, f"ended with {call.code()}")

    def ping_pong(self) -> None:
        requests = RequestQueue()
        call = self.full_duplex_call(iter(requests), timeout=self._timeout)
        try:
            for index, (request_size, response_size) in enumerate(
                zip(STREAM_REQUEST_SIZES, STREAM_RESPONSE_SIZES)
            ):
                # Each request goes out only after the previous response came.
                requests.put(self._output_request([response_size], request_size))
                response = next(call, None)
                check(response is not None, f"stream ended after {index} responses, expected 4")
                check_payload(response.payload, response_size, f"response {index}")
            requests.close()  # half-close
            check(next(call, None) is None, "more than 4 responses")
            check(call.code() == grpc.StatusCode.OK, f"ended with {call.code()}")
        finally:
            requests.close()
            call.cancel()  # no effect once the call has ended

    def empty_stream(self) -> None:
        call = self.full_duplex_call(iter([]), timeout=self._timeout)
        responses = list(call)
        check(not responses, f"{len(responses)} responses, expected 0")
        check(call.code() == grpc.StatusCode.OK, f"ended with {call.code()}")

    def cancel_after_begin(self) -> None:
        requests = RequestQueue()  # nothing is ever put: no message is sent
        future = self.streaming_input_call.future(iter(requests), timeout=self._timeout)
        try:
            future.cancel()
            check(future.code() == grpc.StatusCode.CANCELLED, f"ended with {future.code()}, expected CANCELLED")
        finally:
            requests.close()

    def cancel_after_first_response(self) -> None:
        requests = RequestQueue()
        call = self.full_duplex_call(iter(requests), timeout=self._timeout)
        try:
            requests.put(self._output_request([31415], 27182))
            response = next(call, None)
            check(response is not None, "no response before the stream ended")
            check_payload(response.payload, 31415, "first response")
            call.cancel()
            check(call.code() == grpc.StatusCode.CANCELLED, f"ended with {call.code()}, expected CANCELLED")
        finally:
            requests.close()

    def timeout_on_sleeping_server(self) -> None:
        requests = RequestQueue()
        call = self.full_duplex_call(iter(requests), timeout=0.001)  # 1 ms
        try:
            requests.put(self.StreamingOutputCallRequest(payload=self.Payload(body=bytes(27182))))
            # Never half-closed, so only the deadline can end the call.
            expect_status(lambda: list(call), grpc.StatusCode.DEADLINE_EXCEEDED, "call")
        finally:
            requests.close()

    def _check_echoed_metadata(self, call, what: str) -> None:
        initial = metadata_values(call.initial_metadata(), ECHO_INITIAL_KEY)
        check(
            initial == [ECHO_INITIAL_VALUE],
            f"{what}: initial metadata {ECHO_INITIAL_KEY} = {initial}, expected [{ECHO_INITIAL_VALUE!r}]",
        )
        trailing = metadata_values(call.trailing_metadata(), ECHO_TRAILING_KEY)
        check(
            trailing == [ECHO_TRAILING_VALUE],
            f"{what}: trailing metadata {ECHO_TRAILING_KEY} = {trailing}, expected [{ECHO_TRAILING_VALUE!r}]",
        )

    def custom_metadata(self) -> None:
        metadata = ((ECHO_INITIAL_KEY, ECHO_INITIAL_VALUE), (ECHO_TRAILING_KEY, ECHO_TRAILING_VALUE))
        # 1. UnaryCall.
        response, call = self.unary_call.with_call(
            self._large_request(), timeout=self._timeout, metadata=metadata
        )
        check_payload(response.payload, LARGE_RESPONSE_SIZE, "UnaryCall")
        self._check_echoed_metadata(call, "UnaryCall")
        # 2. FullDuplexCall with one request, then half-close.
        request = self._output_request([LARGE_RESPONSE_SIZE], LARGE_REQUEST_SIZE)
        call = self.full_duplex_call(iter([request]), timeout=self._timeout, metadata=metadata)
        responses = list(call)
        check(len(responses) == 1, f"FullDuplexCall: {len(responses)} responses, expected 1")
        check_payload(responses[0].payload, LARGE_RESPONSE_SIZE, "FullDuplexCall")
        check(call.code() == grpc.StatusCode.OK, f"FullDuplexCall ended with {call.code()}")
        self._check_echoed_metadata(call, "FullDuplexCall")

    def _check_echo_status(self, message: str, include_duplex: bool) -> None:
        status = self.EchoStatus(code=2, message=message)
        expect_status(
            lambda: self.unary_call(self.SimpleRequest(response_status=status), timeout=self._timeout),
            grpc.StatusCode.UNKNOWN,
            "UnaryCall",
            details=message,
        )
        if include_duplex:
            request = self.StreamingOutputCallRequest(response_status=status)
            call = self.full_duplex_call(iter([request]), timeout=self._timeout)
            expect_status(lambda: list(call), grpc.StatusCode.UNKNOWN, "FullDuplexCall", details=message)

    def status_code_and_message(self) -> None:
        self._check_echo_status("test status message", include_duplex=True)

    def special_status_message(self) -> None:
        self._check_echo_status(SPECIAL_STATUS_MESSAGE, include_duplex=False)

    def unimplemented_method(self) -> None:
        expect_status(
            lambda: self.unimplemented_call(self.Empty(), timeout=self._timeout),
            grpc.StatusCode.UNIMPLEMENTED,
            "TestService/UnimplementedCall",
        )

    def unimplemented_service(self) -> None:
        expect_status(
            lambda: self.unimplemented_service_call(self.Empty(), timeout=self._timeout),
            grpc.StatusCode.UNIMPLEMENTED,
            "UnimplementedService/UnimplementedCall",
        )

    # -------------------------------------------- extras: health, reflection

    def _health(self):
        """Returns (request class, SERVING number, Check stub, Watch stub)."""
        request_cls, response_cls = self._types.method_types("grpc.health.v1.Health", "Check")
        serving = (
            response_cls.DESCRIPTOR.enum_types_by_name["ServingStatus"].values_by_name["SERVING"].number
        )
        check_rpc = self._channel.unary_unary(
            self._types.method_path("grpc.health.v1.Health", "Check"),
            request_serializer=encode,
            response_deserializer=plain_decoder(response_cls),
        )
        watch_rpc = self._channel.unary_stream(
            self._types.method_path("grpc.health.v1.Health", "Watch"),
            request_serializer=encode,
            response_deserializer=plain_decoder(response_cls),
        )
        return request_cls, serving, check_rpc, watch_rpc

    def health_check(self) -> None:
        request_cls, serving, check_rpc, _ = self._health()
        response = check_rpc(request_cls(service=""), timeout=self._timeout)
        check(response.status == serving, f'Check(""): status {response.status}, expected SERVING ({serving})')
        expect_status(
            lambda: check_rpc(request_cls(service="no.such.Service"), timeout=self._timeout),
            grpc.StatusCode.NOT_FOUND,
            'Check("no.such.Service")',
        )

    def health_watch(self) -> None:
        request_cls, serving, _, watch_rpc = self._health()
        call = watch_rpc(request_cls(service=""), timeout=self._timeout)
        try:
            first = next(call, None)
            check(first is not None, f"Watch(\"\") ended without a message ({call.code()})")
            check(first.status == serving, f'Watch(""): status {first.status}, expected SERVING ({serving})')
        finally:
            call.cancel()  # Watch streams until the client leaves

    def reflection_list_services(self) -> None:
        for version in ("v1", "v1alpha"):
            self._check_reflection(f"grpc.reflection.{version}")

    def _check_reflection(self, package: str) -> None:
        service = f"{package}.ServerReflection"
        request_cls, response_cls = self._types.method_types(service, "ServerReflectionInfo")
        rpc = self._channel.stream_stream(
            self._types.method_path(service, "ServerReflectionInfo"),
            request_serializer=encode,
            response_deserializer=plain_decoder(response_cls),
        )

        def answer(response, expected_kind: str, what: str):
            check(response is not None, f"{service}: stream ended before answering {what}")
            kind = response.WhichOneof("message_response")
            if kind == "error_response":
                error = response.error_response
                raise TestFailure(
                    f"{service}: {what} answered with error {error.error_code}: {error.error_message}"
                )
            check(kind == expected_kind, f"{service}: {what} answered with {kind}, expected {expected_kind}")
            return getattr(response, expected_kind)

        requests = RequestQueue()
        call = rpc(iter(requests), timeout=self._timeout)
        try:
            # list_services: the value is not interpreted; "*" is customary.
            requests.put(request_cls(list_services="*"))
            listed = answer(next(call, None), "list_services_response", "list_services")
            names = [entry.name for entry in listed.service]
            print(f"INFO reflection_list_services: {service} lists: {', '.join(names)}", flush=True)
            for required in ("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"):
                check(required in names, f"{service}: {required} is not listed")

            requests.put(request_cls(file_containing_symbol="grpc.health.v1.Health"))
            files = answer(next(call, None), "file_descriptor_response", "file_containing_symbol")
            try:
                parsed = [
                    descriptor_pb2.FileDescriptorProto.FromString(blob)
                    for blob in files.file_descriptor_proto
                ]
            except Exception as error:  # protobuf's DecodeError and friends
                raise TestFailure(f"{service}: file_descriptor_proto does not parse: {error}") from error
            file_names = [f.name for f in parsed]
            check(
                "grpc/health/v1/health.proto" in file_names,
                f"{service}: files for grpc.health.v1.Health are {file_names}",
            )

            requests.close()  # half-close; the server should end with OK
            check(next(call, None) is None, f"{service}: unexpected extra response")
            check(call.code() == grpc.StatusCode.OK, f"{service}: ended with {call.code()}")
        finally:
            requests.close()
            call.cancel()

    # -------------------------------------------------------------- runner

    def run(self, case: str) -> bool:
        """Runs one case, prints its PASS/FAIL line, returns whether it passed."""
        try:
            getattr(self, case)()
        except TestFailure as failure:
            print(f"FAIL {case}: {failure}", flush=True)
            return False
        except grpc.RpcError as error:
            print(f"FAIL {case}: unexpected {error.code().name}: {error.details()!r}", flush=True)
            return False
        except Exception as error:  # a bug in the case or a malformed reply
            print(f"FAIL {case}: {type(error).__name__}: {error}", flush=True)
            return False
        print(f"PASS {case}", flush=True)
        return True


def select_cases(spec: str) -> list[str]:
    """Expands --test_case: a name, a comma list, "all" or "all_with_extras"."""
    known = STANDARD_CASES + EXTRA_CASES
    selected: list[str] = []
    for token in (t.strip() for t in spec.split(",")):
        if token == "all":
            names = STANDARD_CASES
        elif token == "all_with_extras":
            names = known
        elif token in known:
            names = [token]
        else:
            raise ValueError(f"unknown test case {token!r}; known: all, all_with_extras, {', '.join(known)}")
        selected.extend(n for n in names if n not in selected)
    return selected


def make_channel(args: argparse.Namespace) -> grpc.Channel:
    host = args.server_host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    target = f"{host}:{args.server_port}"
    options = [
        # Responses reach the deserializers still compressed (module doc).
        descriptors.DISABLE_CORE_DECOMPRESSION,
        ("grpc.compression_enabled_algorithms_bitset", IDENTITY_AND_GZIP),
        ("grpc.max_receive_message_length", descriptors.DEFAULT_MAX_MESSAGE_BYTES),
    ]
    if not args.use_tls:
        return grpc.insecure_channel(target, options=options)
    root_certificates = None  # the system's roots unless --ca_file is given
    if args.ca_file:
        with open(args.ca_file, "rb") as handle:
            root_certificates = handle.read()
    if args.server_host_override:
        options += [
            ("grpc.ssl_target_name_override", args.server_host_override),
            ("grpc.default_authority", args.server_host_override),
        ]
    credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
    return grpc.secure_channel(target, credentials, options=options)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server_host", default="127.0.0.1", help="server address (default 127.0.0.1)")
    parser.add_argument("--server_port", type=int, required=True, help="server port")
    parser.add_argument(
        "--test_case", default="all", help='a case, a comma list, "all" or "all_with_extras" (default all)'
    )
    parser.add_argument("--descriptor_set", required=True, help="serialized FileDescriptorSet including imports")
    descriptors.add_bool_flag(parser, "--use_tls", "connect with TLS")
    parser.add_argument("--ca_file", help="PEM root certificates to trust (with --use_tls)")
    parser.add_argument("--server_host_override", help="name to verify in the server certificate and send as :authority")
    parser.add_argument("--rpc_timeout", type=float, default=30.0, help="deadline of each call in seconds (default 30)")
    args = parser.parse_args(argv)

    try:
        cases = select_cases(args.test_case)
    except ValueError as error:
        parser.error(str(error))

    types = DescriptorSet(args.descriptor_set)
    with make_channel(args) as channel:
        client = InteropClient(channel, types, args.rpc_timeout)
        failed = [case for case in cases if not client.run(case)]
    passed = len(cases) - len(failed)
    print(f"{passed} passed, {len(failed)} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
