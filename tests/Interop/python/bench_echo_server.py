#!/usr/bin/python3
"""Echo server for the IrSuite benchmark (irsuite.bench.v1.EchoService).

Serves ``/irsuite.bench.v1.EchoService/Echo`` and answers each request with
the same text. EchoRequest and EchoResponse both carry only ``string text =
1``, so the serialized request *is* the serialized response: the handler
works on raw bytes and skips protobuf parsing altogether, keeping the
server's own cost per call as low as python-grpcio allows.

    /usr/bin/python3 bench_echo_server.py --descriptor_set interop.pb --port 0

Prints ``READY <port>`` once listening; stops gracefully on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import sys
from concurrent import futures

import grpc

import descriptors
from descriptors import DescriptorSet

ECHO_SERVICE = "irsuite.bench.v1.EchoService"


def check_wire_compatible(types: DescriptorSet) -> None:
    """Fails unless Echo's request and response have the same single field.

    That identity is what makes echoing the raw bytes correct; checking it
    against the descriptor set guards against the proto drifting.
    """
    request_cls, response_cls = types.method_types(ECHO_SERVICE, "Echo")

    def layout(cls):
        return [(f.name, f.number, f.type) for f in cls.DESCRIPTOR.fields]

    if layout(request_cls) != layout(response_cls):
        raise SystemExit(
            f"{ECHO_SERVICE}/Echo: request and response differ "
            f"({layout(request_cls)} vs {layout(response_cls)}); raw echo would be wrong"
        )


def echo(request: bytes, context: grpc.ServicerContext) -> bytes:
    """Returns the serialized EchoRequest as the serialized EchoResponse."""
    return request


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    descriptors.add_server_arguments(parser)
    parser.add_argument("--workers", type=int, default=8, help="handler threads (default 8)")
    args = parser.parse_args(argv)

    check_wire_compatible(DescriptorSet(args.descriptor_set))
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=args.workers),
        options=descriptors.COMMON_SERVER_OPTIONS,
    )
    # No (de)serializers: the handler sees and returns raw message bytes.
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                ECHO_SERVICE, {"Echo": grpc.unary_unary_rpc_method_handler(echo)}
            ),
        )
    )
    port = descriptors.bind(server, args)
    return descriptors.serve_until_signalled(server, port)


if __name__ == "__main__":
    sys.exit(main())
