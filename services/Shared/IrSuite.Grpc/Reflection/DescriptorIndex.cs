using Google.Protobuf.Reflection;
using IrSuite.Grpc.Server;

namespace IrSuite.Grpc.Reflection;

/// <summary>Files, symbols and extensions of every served service and its dependencies.</summary>
internal sealed class DescriptorIndex
{
    private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _symbols = new(StringComparer.Ordinal);
    private readonly List<FieldDescriptor> _extensions = [];

    public DescriptorIndex(GrpcServiceRegistry registry)
    {
        ServiceNames = registry.Registrations.Select(r => r.Descriptor.FullName).ToList();
        foreach (var file in registry.Registrations.SelectMany(r => WithDependencies(r.Descriptor.File)))
        {
            if (!_files.TryAdd(file.Name, file))
            {
                continue;
            }

            foreach (var service in file.Services)
            {
                _symbols.TryAdd(service.FullName, file);
                foreach (var method in service.Methods)
                {
                    _symbols.TryAdd(method.FullName, file);
                }
            }

            foreach (var message in file.MessageTypes)
            {
                AddMessage(message, file);
            }

            foreach (var enumType in file.EnumTypes)
            {
                _symbols.TryAdd(enumType.FullName, file);
            }

            foreach (var extension in file.Extensions.UnorderedExtensions)
            {
                _symbols.TryAdd(extension.FullName, file);
                _extensions.Add(extension);
            }
        }
    }

    public IReadOnlyList<string> ServiceNames { get; }

    public FileDescriptor? FindFile(string name) => _files.GetValueOrDefault(name);

    public FileDescriptor? FindSymbol(string name) => _symbols.GetValueOrDefault(name.TrimStart('.'));

    public FileDescriptor? FindExtension(string containingType, int number) =>
        _extensions.FirstOrDefault(e => e.ExtendeeType?.FullName == containingType.TrimStart('.') && e.FieldNumber == number)?.File;

    public bool TryGetExtensionNumbers(string type, out IEnumerable<int> numbers)
    {
        var name = type.TrimStart('.');
        numbers = _extensions.Where(e => e.ExtendeeType?.FullName == name).Select(e => e.FieldNumber).Order().ToList();
        return _symbols.ContainsKey(name);
    }

    /// <summary>The file followed by all files it imports, transitively, each once.</summary>
    public static IEnumerable<FileDescriptor> WithDependencies(FileDescriptor file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<FileDescriptor>();
        stack.Push(file);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (!seen.Add(current.Name))
            {
                continue;
            }

            yield return current;
            foreach (var dependency in current.Dependencies)
            {
                stack.Push(dependency);
            }
        }
    }

    private void AddMessage(MessageDescriptor message, FileDescriptor file)
    {
        _symbols.TryAdd(message.FullName, file);
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file);
        }

        foreach (var enumType in message.EnumTypes)
        {
            _symbols.TryAdd(enumType.FullName, file);
        }

        foreach (var extension in message.Extensions.UnorderedExtensions)
        {
            _symbols.TryAdd(extension.FullName, file);
            _extensions.Add(extension);
        }
    }
}
