using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transactions;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip.Dialogs;

/// <summary>
/// The user agent core (RFC 3261 section 8): checks every request the way a UAS must (416, 483, 420, 415,
/// 405/501), answers OPTIONS and CANCEL itself, routes requests inside dialogs to their handler (481 for
/// unknown dialogs, 500 for old CSeqs; a dialog's handler answers REFER and NOTIFY there) and out-of-dialog ones to
/// the handler mapped for their method (REFER and NOTIFY outside a dialog get 405).
/// It also sends requests as a UAC, including the ACK for a 2xx (section 13.2.2.4).
/// </summary>
public sealed class SipUserAgent : ISipTransactionUser
{
    private static readonly string[] KnownButUnsupported = ["SUBSCRIBE", "NOTIFY", "PUBLISH", "MESSAGE", "REFER", "PRACK", "UPDATE"];
    private readonly ConcurrentDictionary<string, ISipRequestHandler> handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SipDialogId, SipDialog> dialogs = new();
    private readonly SipUserAgentOptions options;
    private readonly ILogger logger;

    public SipUserAgent(SipTransactionLayer transactions, SipUserAgentOptions options, ILogger logger)
    {
        Transactions = transactions;
        this.options = options;
        this.logger = logger;
        transactions.User = this;
    }

    public SipTransactionLayer Transactions { get; }

    public int DialogCount => dialogs.Count;

    /// <summary>Methods answered here, for Allow headers.</summary>
    public string AllowHeader => string.Join(", ", new[] { SipMethods.Invite, SipMethods.Ack, SipMethods.Bye, SipMethods.Cancel, SipMethods.Options }.Concat(handlers.Keys).Distinct());

    public void Map(string method, ISipRequestHandler handler) => handlers[method] = handler;

    public void AddDialog(SipDialog dialog) => dialogs[dialog.Id] = dialog;

    public void RemoveDialog(SipDialog dialog)
    {
        dialog.State = SipDialogState.Terminated;
        dialogs.TryRemove(dialog.Id, out _);
    }

    public SipDialog? FindDialog(SipDialogId id) => dialogs.TryGetValue(id, out var d) ? d : null;

    /// <summary>A Contact URI for this agent on the given local endpoint.</summary>
    public static SipUri LocalContact(SipTransportProtocol protocol, System.Net.IPEndPoint local, string? user = null)
    {
        var host = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local.Address}]" : local.Address.ToString();
        var uri = new SipUri("sip", user, host, local.Port);
        if (protocol == SipTransportProtocol.Tcp)
        {
            uri.Parameters.Set("transport", "tcp");
        }

        return uri;
    }

    public SipResponse CreateResponse(SipRequest request, int statusCode, string? toTag = null)
    {
        var response = SipResponse.For(request, statusCode, toTag ?? SipIdentifiers.NewTag());
        response.Headers.Add(SipHeaderNames.Server, options.ProductName);
        return response;
    }

    /// <summary>Starts a client transaction for <paramref name="request"/> towards <paramref name="target"/>.</summary>
    public SipClientTransaction SendRequest(SipRequest request, SipTarget target)
    {
        if (request.Headers.Get(SipHeaderNames.UserAgent) is null)
        {
            request.Headers.Add(SipHeaderNames.UserAgent, options.ProductName);
        }

        return Transactions.SendRequest(request, target);
    }

    /// <summary>The ACK for a 2xx to our INVITE: a new transaction-less request in the dialog (section 13.2.2.4).</summary>
    public ValueTask<bool> SendAckAsync(SipDialog dialog, long inviteSequence)
    {
        var ack = dialog.CreateRequest(SipMethods.Ack, inviteSequence);
        ack.Vias.Add(Transactions.Transport.CreateVia(dialog.Target, SipIdentifiers.NewBranch())!);
        return Transactions.Transport.SendRequestAsync(ack, dialog.Target);
    }

    async ValueTask ISipTransactionUser.OnRequestAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var (status, reason) = Check(request);
        if (status != 0)
        {
            SipDialogLog.Rejected(logger, request.Method, request.CallId, status, reason);
            await transaction.SendResponseAsync(Rejection(request, status));
            return;
        }
        try
        {
            await DispatchAsync(transaction);
        }
        catch (Exception ex)
        {
            SipDialogLog.HandlerFailed(logger, ex, request.Method, request.CallId);
            await transaction.SendResponseAsync(CreateResponse(request, SipStatusCodes.ServerInternalError));
        }
    }

    private async ValueTask DispatchAsync(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.Method == SipMethods.Cancel)
        {
            await HandleCancelAsync(transaction);
            return;
        }
        if (request.To.Tag is not null)
        {
            var dialog = FindDialog(new SipDialogId(request.CallId, request.To.Tag, request.From.Tag ?? ""));
            if (dialog?.Handler is null)
            {
                await transaction.SendResponseAsync(CreateResponse(request, SipStatusCodes.CallDoesNotExist));
                return;
            }
            if (request.CSeq.Number <= dialog.RemoteSequence && dialog.RemoteSequence != 0)
            {
                // Section 12.2.2: a lower CSeq than the last one seen is out of order.
                await transaction.SendResponseAsync(CreateResponse(request, SipStatusCodes.ServerInternalError));
                return;
            }
            dialog.RemoteSequence = request.CSeq.Number;
            if (request.Method == SipMethods.Options)
            {
                await transaction.SendResponseAsync(OptionsResponse(request));
                return;
            }
            await dialog.Handler.OnRequestAsync(dialog, transaction, CancellationToken.None);
            return;
        }
        if (handlers.TryGetValue(request.Method, out var handler))
        {
            await handler.HandleAsync(transaction, CancellationToken.None);
            return;
        }
        var response = request.Method switch
        {
            SipMethods.Options => OptionsResponse(request),
            SipMethods.Bye => CreateResponse(request, SipStatusCodes.CallDoesNotExist),
            SipMethods.Invite or SipMethods.Register => CreateResponse(request, SipStatusCodes.NotFound),
            _ => Rejection(request, KnownButUnsupported.Contains(request.Method) || request.Method == SipMethods.Info ? SipStatusCodes.MethodNotAllowed : SipStatusCodes.NotImplemented),
        };
        await transaction.SendResponseAsync(response);
    }

    /// <summary>Section 9.2: 200 to the CANCEL, 487 to the INVITE if it is still pending; 481 when nothing matches.</summary>
    private async ValueTask HandleCancelAsync(SipServerTransaction transaction)
    {
        var invite = Transactions.FindInviteFor(transaction.Request);
        if (invite is null)
        {
            await transaction.SendResponseAsync(CreateResponse(transaction.Request, SipStatusCodes.CallDoesNotExist));
            return;
        }
        await transaction.SendResponseAsync(CreateResponse(transaction.Request, SipStatusCodes.Ok, invite.FinalResponse?.To.Tag));
        await invite.CancelAsync();
    }

    private SipResponse OptionsResponse(SipRequest request)
    {
        var response = CreateResponse(request, SipStatusCodes.Ok, request.To.Tag);
        response.Headers.Add(SipHeaderNames.Allow, AllowHeader);
        response.Headers.Add(SipHeaderNames.Accept, string.Join(", ", options.AcceptedContentTypes));
        return response;
    }

    /// <summary>The section 8.2.1-8.2.3 checks; returns 0 when the request may proceed.</summary>
    private (int Status, string Reason) Check(SipRequest request)
    {
        if (!request.Uri.IsSip)
        {
            return (SipStatusCodes.UnsupportedUriScheme, "Request-URI scheme");
        }

        if (request.MaxForwards == 0 && request.Method != SipMethods.Options)
        {
            return (SipStatusCodes.TooManyHops, "Max-Forwards is 0");
        }

        if (request.Method != SipMethods.Cancel && UnsupportedRequire(request).Count > 0)
        {
            return (SipStatusCodes.BadExtension, "Require");
        }

        if (request.Body.Length > 0 && request.Method != SipMethods.Cancel)
        {
            var type = request.ContentType?.Split(';')[0].Trim();
            if (type is null || !options.AcceptedContentTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
            {
                return (SipStatusCodes.UnsupportedMediaType, "Content-Type");
            }

            var encoding = request.Headers.Get(SipHeaderNames.ContentEncoding);
            if (encoding is not null && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                return (SipStatusCodes.UnsupportedMediaType, "Content-Encoding");
            }
        }
        return (0, "");
    }

    private List<string> UnsupportedRequire(SipRequest request) =>
        request.Headers.GetList(SipHeaderNames.Require).Where(tag => !options.SupportedExtensions.Contains(tag, StringComparer.OrdinalIgnoreCase)).ToList();

    private SipResponse Rejection(SipRequest request, int status)
    {
        var response = CreateResponse(request, status);
        switch (status)
        {
            case SipStatusCodes.BadExtension:
                response.Headers.Add(SipHeaderNames.Unsupported, string.Join(", ", UnsupportedRequire(request)));
                break;
            case SipStatusCodes.UnsupportedMediaType:
                response.Headers.Add(SipHeaderNames.Accept, string.Join(", ", options.AcceptedContentTypes));
                response.Headers.Add("Accept-Encoding", "identity");
                break;
            case SipStatusCodes.MethodNotAllowed:
                response.Headers.Add(SipHeaderNames.Allow, AllowHeader);
                break;
        }
        return response;
    }

    async ValueTask ISipTransactionUser.OnAckAsync(SipRequest ack)
    {
        var dialog = FindDialog(new SipDialogId(ack.CallId, ack.To.Tag ?? "", ack.From.Tag ?? ""));
        if (dialog?.Handler is null)
        {
            return; // an ACK is never answered (section 17.2.1)
        }

        try
        {
            await dialog.Handler.OnAckAsync(dialog, ack, CancellationToken.None);
        }
        catch (Exception ex)
        {
            SipDialogLog.HandlerFailed(logger, ex, ack.Method, ack.CallId);
        }
    }

    async ValueTask ISipTransactionUser.OnStrayResponseAsync(SipResponse response)
    {
        // A retransmitted 2xx to our INVITE after its transaction ended: the ACK got lost, send it again.
        if (response.CSeq.Method != SipMethods.Invite || !response.IsSuccess)
        {
            return;
        }

        var dialog = FindDialog(new SipDialogId(response.CallId, response.From.Tag ?? "", response.To.Tag ?? ""));
        if (dialog is { IsUac: true })
        {
            await SendAckAsync(dialog, response.CSeq.Number);
        }
    }
}
