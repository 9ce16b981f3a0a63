"""An independent gRPC client (python3-grpcio) probing IrSuite's authentication.

usage: auth_probe.py HOST:PORT TOKEN
Prints one line per probe, "name status-code", and exits 0. Messages are built by hand as bytes so that no generated
code is needed: GetSiteProtocolRequest is empty, and a reflection request with list_services is field 7 (string).
"""
import sys

import grpc


def unary(channel, path, metadata):
    call = channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    try:
        call(b"", metadata=metadata, timeout=20)
        return "OK"
    except grpc.RpcError as error:
        return error.code().name


def main():
    target, token = sys.argv[1], sys.argv[2]
    with grpc.insecure_channel(target) as channel:
        protocol = "/ir.protocol.v1.SiteProtocolService/GetSiteProtocol"
        print("no-token", unary(channel, protocol, None))
        print("bad-scheme", unary(channel, protocol, [("authorization", "Basic " + token)]))
        print("garbage-token", unary(channel, protocol, [("authorization", "Bearer not.a.jwt")]))
        print("valid-token", unary(channel, protocol, [("authorization", "Bearer " + token)]))
        print("health-no-token", unary(channel, "/grpc.health.v1.Health/Check", None))
        reflection = channel.stream_stream(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            request_serializer=lambda b: b, response_deserializer=lambda b: b)
        try:
            answers = list(reflection(iter([b"\x3a\x00"]), timeout=20))
            listed = any(b"ir.scheduling.v1.SchedulingService" in a for a in answers)
            print("reflection-no-token", "OK" if listed else "EMPTY")
        except grpc.RpcError as error:
            print("reflection-no-token", error.code().name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
