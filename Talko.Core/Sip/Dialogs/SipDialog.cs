using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip.Dialogs;

/// <summary>Identifies a dialog from this side: Call-ID, local tag, remote tag (RFC 3261 section 12).</summary>
public readonly record struct SipDialogId(string CallId, string LocalTag, string RemoteTag);

public enum SipDialogState
{
    Early,
    Confirmed,
    Terminated,
}

/// <summary>
/// Dialog state (RFC 3261 section 12): identifiers, sequence numbers, remote target and route set, and how
/// to reach the peer. Requests within the dialog are built by CreateRequest (section 12.2.1.1).
/// </summary>
public sealed class SipDialog
{
    private readonly object gate = new();
    private long localSequence;

    private SipDialog(SipDialogId id, SipNameAddress localParty, SipNameAddress remoteParty, SipUri remoteTarget, SipTarget target, bool isUac, long localSequence, long remoteSequence)
    {
        Id = id;
        LocalParty = localParty;
        RemoteParty = remoteParty;
        RemoteTarget = remoteTarget;
        Target = target;
        IsUac = isUac;
        this.localSequence = localSequence;
        RemoteSequence = remoteSequence;
    }

    public SipDialogId Id { get; }

    /// <summary>From/To of this side, with the local tag.</summary>
    public SipNameAddress LocalParty { get; }

    /// <summary>From/To of the peer, with the remote tag.</summary>
    public SipNameAddress RemoteParty { get; }

    /// <summary>The peer's Contact; updated by target refresh requests (section 12.2.2).</summary>
    public SipUri RemoteTarget { get; set; }

    /// <summary>Record-Route values as seen from this side (reversed for the UAC, section 12.1.2).</summary>
    public List<SipNameAddress> RouteSet { get; } = [];

    /// <summary>Where in-dialog requests go: the peer's source address, which works behind NAT.</summary>
    public SipTarget Target { get; set; }

    public bool IsUac { get; }

    public long RemoteSequence { get; set; }

    public SipDialogState State { get; set; } = SipDialogState.Confirmed;

    /// <summary>The Contact this side advertises.</summary>
    public SipUri? LocalContact { get; set; }

    /// <summary>Whatever the owner of the dialog attaches (the conference call).</summary>
    public ISipDialogHandler? Handler { get; set; }

    /// <summary>The UAS side: built from the request and the local tag of our 2xx (section 12.1.1).</summary>
    public static SipDialog CreateUas(SipRequest request, string localTag, SipUri localContact)
    {
        var local = request.To.Clone();
        local.Tag = localTag;
        var source = request.Source ?? throw new ArgumentException("A received request carries its source.", nameof(request));
        var dialog = new SipDialog(new SipDialogId(request.CallId, localTag, request.From.Tag ?? ""), local, request.From,
            request.Contacts.Count > 0 ? request.Contacts[0].Uri : request.From.Uri, new SipTarget(source.Protocol, source.Remote),
            isUac: false, localSequence: 0, remoteSequence: request.CSeq.Number)
        {
            LocalContact = localContact,
        };
        dialog.RouteSet.AddRange(request.RecordRoutes);
        return dialog;
    }

    /// <summary>The UAC side: built from our request and the 2xx it got (section 12.1.2).</summary>
    public static SipDialog CreateUac(SipRequest request, SipResponse response, SipTarget target)
    {
        var dialog = new SipDialog(new SipDialogId(request.CallId, request.From.Tag ?? "", response.To.Tag ?? ""), request.From, response.To,
            response.Contacts.Count > 0 ? response.Contacts[0].Uri : request.Uri, target, isUac: true, localSequence: request.CSeq.Number, remoteSequence: 0)
        {
            LocalContact = request.Contacts.Count > 0 ? request.Contacts[0].Uri : null,
        };
        for (var i = response.RecordRoutes.Count - 1; i >= 0; i--)
        {
            dialog.RouteSet.Add(response.RecordRoutes[i]);
        }

        return dialog;
    }

    /// <summary>A new request within the dialog with the next local CSeq (ACK and CANCEL reuse numbers; callers handle those).</summary>
    public SipRequest CreateRequest(string method)
    {
        long sequence;
        lock (gate)
        {
            sequence = ++localSequence;
        }

        return CreateRequest(method, sequence);
    }

    /// <summary>A request with a given CSeq number, as the ACK for a 2xx needs (section 13.2.2.4).</summary>
    public SipRequest CreateRequest(string method, long sequence)
    {
        var request = new SipRequest(method, RemoteTarget.Clone())
        {
            From = LocalParty,
            To = RemoteParty,
            CallId = Id.CallId,
            CSeq = new SipCSeq(sequence, method),
            MaxForwards = 70,
        };
        request.Routes.AddRange(RouteSet);
        if (LocalContact is not null)
        {
            request.Contacts.Add(new SipNameAddress(LocalContact));
        }

        return request;
    }
}
