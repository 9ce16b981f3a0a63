using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Grpc.Server;

/// <summary>A service class served under a protobuf service descriptor.</summary>
public sealed record ServiceRegistration(ServiceDescriptor Descriptor, Type ServiceType, ServiceLifetime Lifetime);

/// <summary>Every service this server offers, in registration order (read by health and reflection).</summary>
public sealed class GrpcServiceRegistry
{
    private readonly List<ServiceRegistration> _registrations = [];

    public IReadOnlyList<ServiceRegistration> Registrations => _registrations;

    internal void Add(ServiceRegistration registration)
    {
        if (_registrations.Any(r => r.Descriptor.FullName == registration.Descriptor.FullName))
        {
            throw new InvalidOperationException($"Service {registration.Descriptor.FullName} is already registered.");
        }

        _registrations.Add(registration);
    }
}
