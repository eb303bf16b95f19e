using System.Net;
using System.Net.Sockets;
using System.Text;
using Talko.Core.Sip.Messages;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>
/// A phone that registers over UDP as a device does: REGISTER, the 401's MD5 challenge answered with digest, and the
/// final response read. One socket, so one contact and one Call-ID whose CSeq rises with every request.
/// </summary>
internal sealed class UdpRegisteringPhone(IPEndPoint registrar, string username) : IDisposable
{
    private readonly UdpClient socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly string callId = $"{username}-{Guid.NewGuid():N}";
    private int cseq;

    public string Contact => $"sip:{username}@127.0.0.1:{((IPEndPoint)socket.Client.LocalEndPoint!).Port}";

    /// <summary>Registers this phone's contact for <paramref name="expires"/> seconds with <paramref name="secret"/>; returns the final response.</summary>
    public async Task<SipResponse> RegisterAsync(string secret, int expires = 600)
    {
        var challenged = await SendAsync(null, expires);
        Assert.Equal(401, challenged.StatusCode);
        var challenge = challenged.Headers.GetAll(SipHeaderNames.WwwAuthenticate).First(c => c.Contains("MD5", StringComparison.Ordinal));
        return await SendAsync(DigestClient.Authorization(challenge, "REGISTER", "sip:127.0.0.1", username, secret), expires);
    }

    /// <summary>One REGISTER without credentials (a registrar answers it with a challenge, or refuses it); its final response.</summary>
    public Task<SipResponse> RegisterWithoutCredentialsAsync(int expires = 600) => SendAsync(null, expires);

    private async Task<SipResponse> SendAsync(string? authorization, int expires)
    {
        var number = Interlocked.Increment(ref cseq);
        var text = new StringBuilder()
            .Append("REGISTER sip:127.0.0.1 SIP/2.0\r\n")
            .Append($"Via: SIP/2.0/UDP 127.0.0.1:{((IPEndPoint)socket.Client.LocalEndPoint!).Port};branch=z9hG4bK{Guid.NewGuid():N};rport\r\n")
            .Append("Max-Forwards: 70\r\n")
            .Append($"From: <sip:{username}@127.0.0.1>;tag=p1\r\n")
            .Append($"To: <sip:{username}@127.0.0.1>\r\n")
            .Append($"Call-ID: {callId}\r\n")
            .Append($"CSeq: {number} REGISTER\r\n")
            .Append($"Contact: <{Contact}>\r\n")
            .Append($"Expires: {expires}\r\n");
        if (authorization is not null)
        {
            text.Append($"Authorization: {authorization}\r\n");
        }

        await socket.SendAsync(Encoding.UTF8.GetBytes(text.Append("Content-Length: 0\r\n\r\n").ToString()), registrar);
        while (true)
        {
            var received = await socket.ReceiveAsync().WaitAsync(TestTimeouts.Default);
            if (SipMessageParser.Parse(received.Buffer, new SipParserOptions()).Message is SipResponse { IsProvisional: false } response
                && response.CallId == callId && response.CSeq.Number == number)
            {
                return response;
            }
        }
    }

    public void Dispose() => socket.Dispose();
}
