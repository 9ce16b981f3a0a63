namespace IrSuite.Security.Tests.Tls;

/// <summary>
/// An independent TLS client (python3-grpcio, C-core's TLS stack): health Check and an authenticated GetPlan as raw
/// bytes (no generated code). Arguments: target, CA file, bearer token, client certificate file, client key file (empty:
/// none). Prints "health &lt;response hex&gt;" and "getplan &lt;status code name&gt;".
/// </summary>
internal static class PythonClient
{
    public const string Script = """
import sys, grpc
target, ca, token, cert, key = sys.argv[1:6]
creds = grpc.ssl_channel_credentials(
    root_certificates=open(ca, 'rb').read(),
    private_key=open(key, 'rb').read() if key else None,
    certificate_chain=open(cert, 'rb').read() if cert else None)
with grpc.secure_channel(target, creds) as channel:
    try:
        check = channel.unary_unary('/grpc.health.v1.Health/Check')
        print('health', check(b'', timeout=20).hex(), flush=True)
    except grpc.RpcError as e:
        print('health', e.code().name, flush=True)
    get_plan = channel.unary_unary('/ir.anesthesia.v1.AnesthesiaConsultationService/GetPlan')
    request = b'\x0a' + bytes([36]) + b'0f9d3a52-6c1e-4b0e-9a57-3d2f1c8b7e61'
    try:
        get_plan(request, timeout=20, metadata=[('authorization', 'Bearer ' + token)])
        print('getplan OK', flush=True)
    except grpc.RpcError as e:
        print('getplan', e.code().name, flush=True)
""";
}
