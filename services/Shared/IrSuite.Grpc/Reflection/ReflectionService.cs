using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;
using IrSuite.Grpc.Server;

namespace IrSuite.Grpc.Reflection;

/// <summary>
/// <c>grpc.reflection.v1.ServerReflection</c>: lists the served services and returns the descriptor files
/// (with their transitive dependencies) by file name, symbol or extension, so grpcurl, grpcui and
/// Postman can call the API without .proto files. Built from the descriptors the services are mapped with.
/// </summary>
public sealed class ReflectionService(GrpcServiceRegistry registry)
{
    private readonly Lazy<DescriptorIndex> _index = new(() => new DescriptorIndex(registry));

    public async Task ServerReflectionInfo(
        IAsyncStreamReader<ServerReflectionRequest> requests,
        IServerStreamWriter<ServerReflectionResponse> responses,
        ServerCallContext context)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        while (await requests.MoveNext(context.CancellationToken))
        {
            await responses.WriteAsync(Answer(requests.Current, sent), context.CancellationToken);
        }
    }

    internal ServerReflectionResponse Answer(ServerReflectionRequest request, HashSet<string> sent)
    {
        var index = _index.Value;
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                list.Service.AddRange(index.ServiceNames.Select(n => new ServiceResponse { Name = n }));
                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFile(response, index.FindFile(request.FileByFilename), sent, "File not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFile(response, index.FindSymbol(request.FileContainingSymbol), sent, "Symbol not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extension = request.FileContainingExtension;
                SetFile(response, index.FindExtension(extension.ContainingType, extension.ExtensionNumber), sent, "Extension not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                if (index.TryGetExtensionNumbers(request.AllExtensionNumbersOfType, out var numbers))
                {
                    var answer = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                    answer.ExtensionNumber.AddRange(numbers);
                    response.AllExtensionNumbersResponse = answer;
                }
                else
                {
                    response.ErrorResponse = new ErrorResponse { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = "Type not found." };
                }

                break;
            default:
                response.ErrorResponse = new ErrorResponse { ErrorCode = (int)StatusCode.InvalidArgument, ErrorMessage = "No request given." };
                break;
        }

        return response;
    }

    private static void SetFile(ServerReflectionResponse response, FileDescriptor? file, HashSet<string> sent, string notFound)
    {
        if (file is null)
        {
            // An unknown name is an answer on the stream, not the end of the stream.
            response.ErrorResponse = new ErrorResponse { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = notFound };
            return;
        }

        var files = new FileDescriptorResponse();
        foreach (var item in DescriptorIndex.WithDependencies(file))
        {
            // The file asked for always goes out; dependencies already sent on this stream may be left out.
            if (item == file || sent.Add(item.Name))
            {
                sent.Add(item.Name);
                files.FileDescriptorProto.Add(item.SerializedData);
            }
        }

        response.FileDescriptorResponse = files;
    }
}

/// <summary>
/// <c>grpc.reflection.v1alpha.ServerReflection</c>, still used by older tools. Its messages are
/// byte-for-byte those of v1, so requests and responses are converted through their encoding.
/// </summary>
public sealed class ReflectionServiceV1Alpha(ReflectionService v1)
{
    public async Task ServerReflectionInfo(
        IAsyncStreamReader<global::Grpc.Reflection.V1Alpha.ServerReflectionRequest> requests,
        IServerStreamWriter<global::Grpc.Reflection.V1Alpha.ServerReflectionResponse> responses,
        ServerCallContext context)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        while (await requests.MoveNext(context.CancellationToken))
        {
            var request = ServerReflectionRequest.Parser.ParseFrom(requests.Current.ToByteString());
            var answer = v1.Answer(request, sent);
            await responses.WriteAsync(global::Grpc.Reflection.V1Alpha.ServerReflectionResponse.Parser.ParseFrom(answer.ToByteString()), context.CancellationToken);
        }
    }
}
