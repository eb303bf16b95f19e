using System.Net;
using System.Net.Sockets;

namespace Talko.Core.Sip.Transport;

/// <summary>Finds a port free for UDP and TCP at once, so a device may use either transport on one address (RFC 3261 section 18).</summary>
public static class FreeSipPort
{
    /// <summary>A port free for both transports on <paramref name="address"/>, or null if none was found in a few tries.</summary>
    public static int? Find(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(address, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for TCP; try another.
            }
        }

        return null;
    }
}
