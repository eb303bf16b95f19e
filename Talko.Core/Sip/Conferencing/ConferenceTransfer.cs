using System.Globalization;
using System.Text;

namespace Talko.Core.Sip.Conferencing;

/// <summary>How a blind transfer of a conference leg (RFC 3515 REFER) ended.</summary>
public enum ConferenceTransferOutcome
{
    /// <summary>The device accepted (202) and ended the old leg itself (BYE): it is on its way to the new target.</summary>
    Left,

    /// <summary>The device refused the REFER (4xx-6xx), did not answer in time, or reported that the referred INVITE failed; the leg is still up.</summary>
    Refused,

    /// <summary>The device accepted but kept the old leg past the wait; it was hung up.</summary>
    Stayed,

    /// <summary>The leg had already ended.</summary>
    Gone,
}

/// <param name="Outcome">What happened.</param>
/// <param name="ReferStatus">The final response to the REFER (408 when none came in time, 0 when none was sent).</param>
/// <param name="ReportedStatus">The last status of the referred request a NOTIFY reported (RFC 3515 section 2.4.5), if any.</param>
public sealed record ConferenceTransferResult(ConferenceTransferOutcome Outcome, int ReferStatus, int? ReportedStatus);

/// <summary>Limits of one transfer.</summary>
/// <param name="ResponseTimeout">How long the device has to answer the REFER.</param>
/// <param name="LeaveWait">After a 202, how long the device has to end the old leg before it is hung up.</param>
public sealed record ConferenceTransferTimings(TimeSpan ResponseTimeout, TimeSpan LeaveWait);

/// <summary>
/// The implicit subscription a REFER creates (RFC 3515 section 2.4.4): the transferee NOTIFYs the status line of
/// the referred INVITE's responses as message/sipfrag; a final one (or Subscription-State: terminated) ends it.
/// </summary>
internal sealed class ReferSubscription
{
    private readonly TaskCompletionSource failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The last status reported, if any.</summary>
    public int? LastStatus { get; private set; }

    /// <summary>Completes when the transferee reports that the referred INVITE failed (or ends the subscription without a success).</summary>
    public Task Failed => failed.Task;

    public void Report(int? status, bool terminated)
    {
        if (status is { } code)
        {
            LastStatus = code;
        }

        var final = status >= 200 || terminated;
        if (final && LastStatus is not (>= 200 and < 300))
        {
            failed.TrySetResult();
        }
    }

    /// <summary>
    /// The status code of a message/sipfrag body whose start line is a status line ("SIP/2.0 200 OK"); null for
    /// anything else (a request fragment or garbage), which is answered 200 but reports nothing.
    /// </summary>
    public static int? ParseSipfragStatus(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body.Length > 256 ? body[..256] : body);
        var end = text.IndexOfAny(['\r', '\n']);
        var line = (end < 0 ? text : text[..end]).Trim();
        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && parts[0].StartsWith("SIP/", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 699
            ? code
            : null;
    }
}
