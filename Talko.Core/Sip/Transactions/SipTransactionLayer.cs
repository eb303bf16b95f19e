using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip.Transactions;

/// <summary>
/// Matches messages to transactions (RFC 3261 sections 17.1.3 and 17.2.3, with the RFC 2543 fallback for
/// branches without the magic cookie), creates server transactions for new requests, detects merged
/// requests (section 8.2.2.2) and hands everything else up to the <see cref="ISipTransactionUser"/>.
/// </summary>
public sealed class SipTransactionLayer
{
    private readonly ConcurrentDictionary<string, SipServerTransaction> servers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SipClientTransaction> clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> mergeIndex = new(StringComparer.Ordinal);
    private readonly CompletedServerTransactions completed;
    private readonly SipTransport transport;
    private readonly ILogger logger;
    private readonly DetachedRequests detachedInvites = new(MaxDetachedPerKind);
    private readonly DetachedRequests detachedRegisters = new(MaxDetachedPerKind);
    private long rejectedForCapacity;

    /// <summary>
    /// A layer over <paramref name="transport"/>: <paramref name="maxTransactions"/> caps live (full) server plus client
    /// transactions, <paramref name="maxCompletedTransactions"/> the UDP non-INVITE ones held compactly for Timer J;
    /// <paramref name="concurrentInvites"/> and <paramref name="concurrentRegisters"/> let the receive loop go on while a
    /// new INVITE or a REGISTER waits (ADR 0112).
    /// </summary>
    public SipTransactionLayer(
        SipTransport transport, SipTimerOptions timers, TimeProvider time, ILogger logger, int maxTransactions = 50_000, int maxCompletedTransactions = 1_000_000,
        bool concurrentInvites = false, bool concurrentRegisters = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTransactions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCompletedTransactions);
        ConcurrentInvites = concurrentInvites;
        ConcurrentRegisters = concurrentRegisters;
        this.transport = transport;
        this.logger = logger;
        Timers = timers;
        Time = time;
        MaxTransactions = maxTransactions;
        completed = new CompletedServerTransactions(time, timers.TransactionTimeout, maxCompletedTransactions, OnCompletedExpired);
        transport.MessageReceived = OnMessageAsync;
    }

    public SipTimerOptions Timers { get; }

    /// <summary>A new INVITE that waits lets the receive loop go on (ADR 0112); off, it holds the loop until the transaction user is done with it.</summary>
    public bool ConcurrentInvites { get; }

    /// <summary>A REGISTER that waits lets the receive loop go on (ADR 0112); off, it holds the loop until it is answered.</summary>
    public bool ConcurrentRegisters { get; }

    public TimeProvider Time { get; }

    /// <summary>Server plus client transactions alive at once (compact Completed ones not counted); beyond it new requests get 503.</summary>
    public int MaxTransactions { get; }

    /// <summary>Most UDP non-INVITE server transactions held in compact Completed form; beyond it the oldest is dropped.</summary>
    public int MaxCompletedTransactions => completed.Capacity;

    public ISipTransactionUser? User { get; set; }

    public SipTransport Transport => transport;

    public int ServerCount => servers.Count;

    public int ClientCount => clients.Count;

    /// <summary>UDP non-INVITE server transactions in compact Completed form (waiting out Timer J).</summary>
    public int CompletedCount => completed.Count;

    /// <summary>Requests answered 503 because <see cref="MaxTransactions"/> was reached.</summary>
    public long RejectedForCapacity => Interlocked.Read(ref rejectedForCapacity);

    /// <summary>Compact Completed transactions dropped early because <see cref="MaxCompletedTransactions"/> was reached.</summary>
    public long CompletedEvicted => completed.Evicted;

    /// <summary>Starts a client transaction. A Via with a fresh branch is added unless the request already has one (CANCEL, section 9.1).</summary>
    public SipClientTransaction SendRequest(SipRequest request, SipTarget target)
    {
        if (request.Vias.Count == 0)
        {
            var via = transport.CreateVia(target, SipIdentifiers.NewBranch())
                ?? throw new InvalidOperationException($"No {target.Protocol} channel for {target.EndPoint.AddressFamily}");
            request.Vias.Add(via);
        }
        var key = ClientKey(request.TopVia.Branch ?? "", request.Method);
        SipClientTransaction transaction = request.Method == SipMethods.Invite
            ? new InviteClientTransaction(this, key, request, target)
            : new NonInviteClientTransaction(this, key, request, target);
        clients[key] = transaction;
        transaction.Start();
        return transaction;
    }

    /// <summary>The INVITE server transaction a CANCEL refers to (section 9.2): same key but method INVITE.</summary>
    public InviteServerTransaction? FindInviteFor(SipRequest cancel) =>
        servers.TryGetValue(ServerKey(cancel, SipMethods.Invite), out var t) ? t as InviteServerTransaction : null;

    private async ValueTask OnMessageAsync(SipMessage message)
    {
        if (message is SipResponse response)
        {
            var key = ClientKey(response.TopVia.Branch ?? "", response.CSeq.Method);
            if (clients.TryGetValue(key, out var client))
            {
                client.OnResponse(response);
            }
            else if (User is { } user)
            {
                await user.OnStrayResponseAsync(response);
            }

            return;
        }

        var request = (SipRequest)message;
        var serverKey = ServerKey(request, request.Method == SipMethods.Ack ? SipMethods.Invite : request.Method);
        if (servers.TryGetValue(serverKey, out var existing))
        {
            if (request.Method == SipMethods.Ack)
            {
                if (existing is InviteServerTransaction invite && invite.OnAck() && User is { } ackUser)
                {
                    await ackUser.OnAckAsync(request);
                }
            }
            else
            {
                existing.OnRetransmission(request);
            }
            return;
        }
        if (request.Method != SipMethods.Ack && completed.TryGet(serverKey, out var done))
        {
            // Completed state (section 17.2.2): a retransmission gets the final response again, nothing else.
            await transport.SendResponseBytesAsync(done.TopVia, done.Source, done.Response);
            return;
        }
        if (request.Method == SipMethods.Ack)
        {
            if (User is { } ackUser)
            {
                await ackUser.OnAckAsync(request);
            }

            return;
        }

        SipServerTransaction transaction = request.Method == SipMethods.Invite
            ? new InviteServerTransaction(this, serverKey, request)
            : new NonInviteServerTransaction(this, serverKey, request);
        if (!servers.TryAdd(serverKey, transaction))
        {
            return; // a concurrent retransmission won the race
        }

        if (servers.Count + clients.Count > MaxTransactions)
        {
            Interlocked.Increment(ref rejectedForCapacity);
            SipTransactionLog.TableFull(logger, servers.Count + clients.Count, request.Method);
            await transaction.SendResponseAsync(SipResponse.For(request, SipStatusCodes.ServiceUnavailable, SipIdentifiers.NewTag()));
            return;
        }
        if (transaction is InviteServerTransaction started)
        {
            await started.StartAsync();
        }

        // Merged request (section 8.2.2.2): no To tag, same From tag, Call-ID and CSeq as a live transaction, other branch.
        if (request.To.Tag is null && request.Method != SipMethods.Cancel)
        {
            var mergeKey = $"{request.From.Tag}|{request.CallId}|{request.CSeq}";
            if (!mergeIndex.TryAdd(mergeKey, serverKey) && mergeIndex.TryGetValue(mergeKey, out var other) && other != serverKey
                && (servers.ContainsKey(other) || completed.Contains(other)))
            {
                SipTransactionLog.MergedRequest(logger, request.Method, request.CallId);
                await transaction.SendResponseAsync(SipResponse.For(request, SipStatusCodes.LoopDetected, SipIdentifiers.NewTag()));
                return;
            }
        }

        if (User is not { } tu)
        {
            await transaction.SendResponseAsync(SipResponse.For(request, SipStatusCodes.ServiceUnavailable, SipIdentifiers.NewTag()));
            return;
        }

        var handling = DispatchAsync(tu, transaction);
        // A new INVITE (authentication, admission, storage, media) or a REGISTER (the binding store's round trips when
        // scaled out) runs inline until it first waits, then on its own: the channel's receive loop goes on with other
        // requests and responses (ADR 0112). It already has its transaction, so retransmissions and a CANCEL find it.
        // The registrar keeps one address-of-record's REGISTERs in order; in-dialog requests stay inline, in order.
        if (!handling.IsCompleted && DetachableKind(transaction) is { } kind && kind.TryTake())
        {
            _ = FinishDetachedAsync(handling, request, kind);
            return;
        }

        await handling;
    }

    /// <summary>Requests of each kind (new INVITEs, REGISTERs) that may wait off the receive loop at once (ADR 0112).</summary>
    internal const int MaxDetachedPerKind = 1_000;

    private DetachedRequests? DetachableKind(SipServerTransaction transaction)
    {
        if (ConcurrentInvites && transaction is InviteServerTransaction && transaction.Request.To.Tag is null)
        {
            return detachedInvites;
        }

        return ConcurrentRegisters && transaction.Request.Method == SipMethods.Register ? detachedRegisters : null;
    }

    /// <summary>Work the receive loop no longer awaits: a failure is logged here, as the loop would have logged it.</summary>
    private async Task FinishDetachedAsync(ValueTask handling, SipRequest request, DetachedRequests kind)
    {
        try
        {
            await handling.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SipTransactionLog.UserFailed(logger, ex, request.Method, request.CallId);
        }
        finally
        {
            kind.Return();
        }
    }

    private async ValueTask DispatchAsync(ISipTransactionUser tu, SipServerTransaction transaction)
    {
        var request = transaction.Request;
        try
        {
            await tu.OnRequestAsync(transaction);
        }
        catch (Exception ex)
        {
            SipTransactionLog.UserFailed(logger, ex, request.Method, request.CallId);
            await transaction.SendResponseAsync(SipResponse.For(request, SipStatusCodes.ServerInternalError, SipIdentifiers.NewTag()));
        }
    }

    /// <summary>Section 17.2.3: branch + sent-by + method; without the magic cookie, the RFC 2543 fields.</summary>
    internal static string ServerKey(SipRequest request, string method)
    {
        var via = request.TopVia;
        if (via.HasRfc3261Branch)
        {
            return string.Concat(via.Branch, "|", via.SentBy, "|", method);
        }

        return string.Join('|', "2543", request.Uri.ToString(), request.From.Tag, request.CallId, request.CSeq.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), method, via.ToString());
    }

    internal static string ClientKey(string branch, string method) => string.Concat(branch, "|", method);

    private static string? MergeKey(SipRequest request) => request.To.Tag is null ? $"{request.From.Tag}|{request.CallId}|{request.CSeq}" : null;

    /// <summary>
    /// A UDP non-INVITE server transaction reached Completed: its final response is kept in compact form for Timer J
    /// and the full transaction leaves the table (so it no longer counts against <see cref="MaxTransactions"/>).
    /// The compact entry is in place before the full one goes, so a retransmission always finds one of them.
    /// </summary>
    internal ValueTask<bool> CompleteAsync(SipServerTransaction transaction, SipResponse response)
    {
        var bytes = SipMessageWriter.ToBytes(response);
        var request = transaction.Request;
        SipMetrics.ResponseSent(response.CSeq.Method, response.StatusCode);
        completed.Add(transaction.Key, bytes, response.TopVia, request.Source, MergeKey(request));
        servers.TryRemove(new KeyValuePair<string, SipServerTransaction>(transaction.Key, transaction));
        return response.Vias.Count == 0 ? ValueTask.FromResult(false) : transport.SendResponseBytesAsync(response.TopVia, request.Source, bytes);
    }

    private void OnCompletedExpired(CompletedServerTransactions.Entry entry)
    {
        if (entry.MergeKey is { } mergeKey)
        {
            mergeIndex.TryRemove(new KeyValuePair<string, string>(mergeKey, entry.Key));
        }
    }

    internal void Remove(SipTransaction transaction)
    {
        if (transaction is SipServerTransaction server)
        {
            // A transaction handed to the compact table keeps its merge-index entry until Timer J (OnCompletedExpired).
            if (!servers.TryRemove(new KeyValuePair<string, SipServerTransaction>(transaction.Key, server)) && completed.Contains(transaction.Key))
            {
                return;
            }

            if (MergeKey(transaction.Request) is { } mergeKey)
            {
                mergeIndex.TryRemove(new KeyValuePair<string, string>(mergeKey, transaction.Key));
            }
        }
        else if (transaction is SipClientTransaction client)
        {
            clients.TryRemove(new KeyValuePair<string, SipClientTransaction>(transaction.Key, client));
        }
    }

    internal ValueTask<bool> SendResponseAsync(SipResponse response, SipSource? source) => transport.SendResponseAsync(response, source);

    internal void SendResponseNoWait(SipResponse response, SipSource? source) => _ = SendSafelyAsync(transport.SendResponseAsync(response, source), null, "response");

    internal void SendRequestNoWait(SipRequest request, SipTarget target, Action? onFailure) =>
        _ = SendSafelyAsync(transport.SendRequestAsync(request, target), onFailure, request.Method);

    private async Task SendSafelyAsync(ValueTask<bool> send, Action? onFailure, string what)
    {
        try
        {
            if (!await send.ConfigureAwait(false))
            {
                onFailure?.Invoke();
            }
        }
        catch (Exception ex)
        {
            SipTransactionLog.SendFailed(logger, ex, what);
            onFailure?.Invoke();
        }
    }
}
