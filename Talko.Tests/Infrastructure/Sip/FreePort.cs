using System.Net;
using Talko.Core.Sip.Transport;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>Finds a port free for both UDP and TCP on an address (the engine's own probe), so tests never collide with each other.</summary>
internal static class FreePort
{
    public static int Find(IPAddress? address = null) =>
        FreeSipPort.Find(address ?? IPAddress.Loopback) ?? throw new InvalidOperationException("no free port pair found");
}
