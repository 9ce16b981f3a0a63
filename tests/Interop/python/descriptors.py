"""Shared helpers for the Python side of the IrSuite gRPC interop kit.

Why this module exists: the protoc available to the project generates
``_pb2.py`` files that do not import with Debian's python3-protobuf (4.21).
Instead of generated code, every script takes ``--descriptor_set PATH``: a
serialized ``google.protobuf.FileDescriptorSet`` (built with
``protoc --include_imports --descriptor_set_out=...``) from which message
classes are built at run time.

Contents:

* ``DescriptorSet``: loads the set into a private ``DescriptorPool`` and hands
  out message classes and method paths.
* Wire helpers (``encode``, ``sniff_decompress``, ``Inbound``) used by the
  interop server and client to observe the per-message *compressed* flag.
  python-grpcio has no API for that flag, so both sides turn off grpc-core's
  automatic decompression (channel argument ``grpc.per_message_decompression``
  = 0) and then receive a compressed message as the raw compressed bytes;
  these helpers recognise and inflate them.
* Process helpers shared by the two servers: TLS credentials, the
  ``READY <port>`` line and the wait for SIGTERM/SIGINT.

Only the standard library, grpc and google.protobuf are used; the code runs
on Python 3.11 with grpcio 1.51 and protobuf 4.21.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import zlib
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

# --------------------------------------------------------------------------
# Descriptor loading
# --------------------------------------------------------------------------


def _dependency_order(
    files: Iterable[descriptor_pb2.FileDescriptorProto],
) -> list[descriptor_pb2.FileDescriptorProto]:
    """Returns the files so that every file comes after the files it imports.

    protoc already writes ``--include_imports`` sets in this order, but a set
    assembled by other tools need not be, and ``DescriptorPool.Add`` needs
    the imports of a file to be in the pool before the file itself.
    """
    by_name = {f.name: f for f in files}
    ordered: list[descriptor_pb2.FileDescriptorProto] = []
    state: dict[str, str] = {}  # name -> "visiting" | "done"

    def visit(name: str, importer: str) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise ValueError(f"import cycle through {name!r}")
        if name not in by_name:
            raise ValueError(
                f"{importer!r} imports {name!r}, which is not in the descriptor "
                "set (build it with protoc --include_imports)"
            )
        state[name] = "visiting"
        for dep in by_name[name].dependency:
            visit(dep, name)
        state[name] = "done"
        ordered.append(by_name[name])

    for name in by_name:
        visit(name, "<descriptor set>")
    return ordered


class DescriptorSet:
    """Message classes and method paths from a serialized FileDescriptorSet."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as handle:
            file_set = descriptor_pb2.FileDescriptorSet.FromString(handle.read())
        # A private pool keeps these definitions apart from anything else
        # that may have been registered in the process-wide default pool.
        self.pool = descriptor_pool.DescriptorPool()
        for file_proto in _dependency_order(file_set.file):
            self.pool.Add(file_proto)
        self.file_names = [f.name for f in file_set.file]
        # protobuf >= 4.22 offers message_factory.GetMessageClass; 4.21 only
        # has MessageFactory.GetPrototype. Use whichever exists.
        self._factory = None
        if not hasattr(message_factory, "GetMessageClass"):
            self._factory = message_factory.MessageFactory(self.pool)
        self._classes: dict[str, type] = {}

    def message(self, full_name: str) -> type:
        """Returns the class of message ``full_name`` (e.g. "grpc.testing.Empty")."""
        cls = self._classes.get(full_name)
        if cls is None:
            desc = self.pool.FindMessageTypeByName(full_name)
            if self._factory is None:
                cls = message_factory.GetMessageClass(desc)
            else:
                cls = self._factory.GetPrototype(desc)
            self._classes[full_name] = cls
        return cls

    def method_path(self, service: str, method: str) -> str:
        """Returns "/pkg.Service/Method" after checking the method exists.

        Deliberately unchecked paths (such as the interop suite's unregistered
        ``grpc.testing.UnimplementedService``) may still be built by hand.
        """
        service_desc = self.pool.FindServiceByName(service)
        if method not in service_desc.methods_by_name:
            raise KeyError(f"{service} has no method {method}")
        return f"/{service}/{method}"

    def method_types(self, service: str, method: str) -> tuple[type, type]:
        """Returns the (request class, response class) of a method."""
        method_desc = self.pool.FindServiceByName(service).methods_by_name[method]
        return (
            self.message(method_desc.input_type.full_name),
            self.message(method_desc.output_type.full_name),
        )


# --------------------------------------------------------------------------
# Wire helpers: serialisation and seeing the per-message compressed flag
# --------------------------------------------------------------------------

# Per-message decompression is done by us, not by grpc-core, where these
# channel/server arguments are used (see the module docstring).
DISABLE_CORE_DECOMPRESSION = ("grpc.per_message_decompression", 0)

# Same limit grpc applies to received messages by default (4 MiB); applied
# here to the *inflated* size, since grpc-core only sees the compressed one.
DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024


class MessageTooLarge(Exception):
    """A compressed message inflates beyond the configured limit."""


def encode(message) -> bytes:
    """Serializer for every protobuf message the kit sends."""
    return message.SerializeToString()


def _looks_like_zlib(data: bytes) -> bool:
    # RFC 1950 header: CM=8 (deflate), CINFO<=7, and the 16-bit header is a
    # multiple of 31.
    return (
        len(data) >= 2
        and (data[0] & 0x0F) == 8
        and (data[0] >> 4) <= 7
        and ((data[0] << 8) | data[1]) % 31 == 0
    )


def _inflate(decompressor, data: bytes, limit: int) -> bytes:
    out = decompressor.decompress(data, limit + 1)
    if len(out) > limit:
        raise MessageTooLarge(f"message inflates beyond {limit} bytes")
    if not decompressor.eof or decompressor.unused_data:
        raise zlib.error("truncated or trailing data")
    return out


def sniff_decompress(data: bytes, limit: int = DEFAULT_MAX_MESSAGE_BYTES) -> tuple[bytes, bool]:
    """Returns (message bytes, whether ``data`` was a compressed message).

    With grpc-core's decompression turned off, a message sent with the
    compressed flag arrives as its compressed bytes, and python-grpcio shows
    neither the flag nor the call's ``grpc-encoding`` header. The encoding is
    therefore recognised from the bytes themselves:

    * gzip starts with 0x1f 0x8b. A serialized protobuf message can never
      start with 0x1f (it would be field 3 with the invalid wire type 7), so
      this test is exact.
    * deflate (grpc's "deflate" is the zlib format of RFC 1950) starts with a
      two-byte header carrying its own check. Such a first byte is also a
      valid protobuf tag (an odd-numbered varint field up to 15), so the data
      only counts as compressed if it also inflates completely with a good
      Adler-32 checksum, which an ordinary message practically never does.
      The kit's client advertises only identity and gzip, so peers should
      not pick deflate anyway.

    Any other encoding (e.g. snappy) is not recognised and fails to parse.
    """
    if data[:2] == b"\x1f\x8b":
        return _inflate(zlib.decompressobj(16 + zlib.MAX_WBITS), data, limit), True
    if _looks_like_zlib(data):
        try:
            return _inflate(zlib.decompressobj(zlib.MAX_WBITS), data, limit), True
        except zlib.error:
            pass  # an ordinary message whose first bytes merely look like zlib
    return data, False


@dataclass
class Inbound:
    """One received message and what the wire said about it."""

    message: object  # the parsed protobuf message (None if ``error`` is set)
    compressed: bool  # the message had the compressed flag set
    wire_size: int  # size in bytes of the message once decompressed
    error: Optional[MessageTooLarge] = None


def inbound_decoder(cls: type, limit: int = DEFAULT_MAX_MESSAGE_BYTES) -> Callable[[bytes], Inbound]:
    """Deserializer returning ``Inbound`` wrappers instead of bare messages.

    A too-large message is reported through ``Inbound.error`` rather than by
    raising, because python-grpcio turns a raising deserializer into an
    INTERNAL status with a fixed message; the handler can then pick the
    proper status (RESOURCE_EXHAUSTED) itself.
    """

    def decode(data: bytes) -> Inbound:
        try:
            raw, compressed = sniff_decompress(data, limit)
        except MessageTooLarge as exc:
            return Inbound(None, True, -1, exc)
        return Inbound(cls.FromString(raw), compressed, len(raw))

    return decode


def plain_decoder(cls: type, limit: int = DEFAULT_MAX_MESSAGE_BYTES) -> Callable[[bytes], object]:
    """Deserializer returning the bare message, inflating it if compressed."""

    def decode(data: bytes):
        raw, _ = sniff_decompress(data, limit)
        return cls.FromString(raw)

    return decode


# --------------------------------------------------------------------------
# Command line and server process helpers
# --------------------------------------------------------------------------


def parse_bool(text: str) -> bool:
    """argparse type for "--flag=true/false" style booleans."""
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"not a boolean: {text!r}")


def add_bool_flag(parser: argparse.ArgumentParser, name: str, help_text: str) -> None:
    """Adds a flag usable both as ``--name`` and as ``--name=true|false``."""
    parser.add_argument(name, nargs="?", const=True, default=False, type=parse_bool, help=help_text)


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the flags common to both servers."""
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default 0)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--descriptor_set", required=True, help="serialized FileDescriptorSet including imports")
    add_bool_flag(parser, "--use_tls", "serve TLS instead of plaintext")
    parser.add_argument("--cert_file", help="PEM certificate chain (with --use_tls)")
    parser.add_argument("--key_file", help="PEM private key (with --use_tls)")


# Options every server of the kit uses. SO_REUSEPORT is turned off so that a
# fixed --port already in use fails loudly instead of being silently shared.
COMMON_SERVER_OPTIONS = [("grpc.so_reuseport", 0)]


def bind(server: grpc.Server, args: argparse.Namespace) -> int:
    """Binds the listening port described by ``args``; returns the port."""
    host = f"[{args.host}]" if ":" in args.host and not args.host.startswith("[") else args.host
    address = f"{host}:{args.port}"
    try:
        if args.use_tls:
            if not args.cert_file or not args.key_file:
                raise SystemExit("--use_tls needs --cert_file and --key_file")
            with open(args.key_file, "rb") as key, open(args.cert_file, "rb") as cert:
                credentials = grpc.ssl_server_credentials([(key.read(), cert.read())])
            port = server.add_secure_port(address, credentials)
        else:
            port = server.add_insecure_port(address)
    except RuntimeError as error:  # grpcio >= 1.49 raises when binding fails
        raise SystemExit(f"could not bind {address}: {error}") from None
    if port == 0:  # older grpcio returns 0 instead
        raise SystemExit(f"could not bind {address}")
    return port


def serve_until_signalled(server: grpc.Server, port: int, grace_seconds: float = 5.0) -> int:
    """Starts ``server``, prints ``READY <port>``, waits for SIGTERM/SIGINT.

    Returns the process exit status (0) after a graceful stop: calls in
    flight get ``grace_seconds`` to finish, new ones are refused.
    """
    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.start()
    sys.stdout.write(f"READY {port}\n")
    sys.stdout.flush()
    # A timed wait keeps the main thread responsive to signals.
    while not stop.wait(0.5):
        pass
    server.stop(grace_seconds).wait()
    return 0
