namespace Talko.Core.Ephemeral;

/// <summary>
/// Names every ephemeral key and every pub/sub channel Talko uses, in one place, under one prefix, so
/// that the whole shared state can be read off this class and several deployments (or test runs) can
/// share one Redis without touching each other.
/// </summary>
public sealed class KeySpace
{
    public KeySpace(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (prefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            // A brace would make part of the prefix a Redis Cluster hash tag and override the ones below.
            throw new ArgumentException("The Redis key prefix may not contain '{' or '}'.", nameof(prefix));
        }

        Prefix = prefix;
    }

    public string Prefix { get; }

    // Instance registry.

    /// <summary>One live instance's descriptor (JSON), kept alive by its heartbeat.</summary>
    public string Instance(string instanceId) => $"{Prefix}:instance:{instanceId}";

    /// <summary>Ids of instances that registered; entries whose descriptor expired are pruned on read.</summary>
    public string InstanceIndex => $"{Prefix}:instances";

    // Awareness (see Talko.Core.Awareness.RedisAwarenessStore). One script updates a batch of users' keys with the due
    // set and the instance's hash atomically, so every awareness key carries the hash tag {aw}: on Redis Cluster they
    // share one slot (ADR 0206). Every other key stands alone and spreads over the cluster.

    /// <summary>Hash of one user's live device connections: connection id to its state (JSON).</summary>
    public string AwarenessConnections(string userId) => $"{Prefix}:{{aw}}:user:{userId}:conn";

    /// <summary>One user's aggregate as watchers last heard it (JSON); absent means offline.</summary>
    public string AwarenessAggregate(string userId) => $"{Prefix}:{{aw}}:user:{userId}";

    /// <summary>Sorted set of user ids by when each next needs a look (a lease or typing deadline, in Unix ms).</summary>
    public string AwarenessDue => $"{Prefix}:{{aw}}:due";

    /// <summary>Hash of the connections one instance holds: connection id to user id, for reaping a dead instance.</summary>
    public string AwarenessInstanceConnections(string instanceId) => $"{Prefix}:{{aw}}:instance:{instanceId}:conn";

    /// <summary>Ids of instances that hold awareness connections.</summary>
    public string AwarenessInstances => $"{Prefix}:{{aw}}:instances";

    // Accounts.

    /// <summary>Marks a device whose access tokens must be refused (signed out, deleted); lives as long as an access token.</summary>
    public string RevokedDevice(Guid deviceId) => $"{Prefix}:acct:revoked-device:{deviceId:N}";

    /// <summary>Fixed-window count of one-time codes one requester (a source address, or a signed-in user) asked for, any identifier.</summary>
    public string CodeRequestsBy(string requester) => $"{Prefix}:acct:code-requests:by:{Digest(requester)}";

    /// <summary>Fixed-window count of one-time codes one requester asked for one identifier (by its lookup key).</summary>
    public string CodeRequestsByFor(string requester, string identifierLookupKey) =>
        $"{Prefix}:acct:code-requests:by:{Digest(requester)}:for:{identifierLookupKey}";

    /// <summary>Present while a code was just sent to an identifier: no further code goes to it until it expires.</summary>
    public string CodeCooldown(string identifierLookupKey) => $"{Prefix}:acct:code-cooldown:{identifierLookupKey}";

    /// <summary>Fixed-window count of address-book entries one user has matched (the enumeration quota).</summary>
    public string ContactMatchQuota(Guid userId) => $"{Prefix}:acct:contact-quota:{userId:N}";

    // Live calls.

    /// <summary>The id of the instance that owns (runs the mixer of) a live call; claimed with set-if-absent, renewed by heartbeat.</summary>
    public string CallOwner(string callId) => $"{Prefix}:call:{callId}:owner";

    /// <summary>User ids heard talking in a live call right now (a set kept by the owner, expiring with it).</summary>
    public string CallTalking(string callId) => $"{Prefix}:call:{callId}:talking";

    /// <summary>Each participant's latest call quality (JSON by user/device), written by the owner every quality interval (ADR 0901).</summary>
    public string CallQuality(string callId) => $"{Prefix}:call:{callId}:quality";

    /// <summary>When a draining owner handed the call away (Unix ms), so the new owner can log each participant's audio gap.</summary>
    public string CallMovedAt(string callId) => $"{Prefix}:call:{callId}:moved-at";

    /// <summary>Commands about live calls (end, leave) that every instance hears; the one holding the legs acts.</summary>
    public string CallCommandsChannel => $"{Prefix}:chan:calls";

    // SIP registrations.

    /// <summary>
    /// An address-of-record's bindings: a hash from contact URI to the binding (JSON with its expiry), living as long
    /// as its longest binding; expired fields are pruned on read.
    /// </summary>
    public string SipContactsOfAddress(string addressOfRecord) => $"{Prefix}:sip:contacts:{Digest(addressOfRecord)}";

    /// <summary>The addresses-of-record a user's devices registered, to ring every device of a user.</summary>
    public string SipAddressesOfUser(string userId) => $"{Prefix}:sip:user-aors:{userId}";

    // The layout before ADR 0932 (a key per binding and two index sets), still read and removed from so that a
    // blue/green switch from that release finds every registration; nothing writes it any more.

    /// <summary>One registered contact (JSON), expiring with the registration (layout before ADR 0932).</summary>
    public string SipBinding(string addressOfRecord, string contactUri) =>
        $"{Prefix}:sip:binding:{Digest(addressOfRecord)}:{Digest(contactUri)}";

    /// <summary>Keys of an address-of-record's bindings (layout before ADR 0932).</summary>
    public string SipBindingsOfAddress(string addressOfRecord) => $"{Prefix}:sip:aor:{Digest(addressOfRecord)}";

    /// <summary>Keys of a user's bindings (layout before ADR 0932).</summary>
    public string SipBindingsOfUser(string userId) => $"{Prefix}:sip:user:{userId}";

    // Channels.

    /// <summary>Commands addressed to one instance (instance-to-instance).</summary>
    public string InstanceChannel(string instanceId) => $"{Prefix}:chan:instance:{instanceId}";

    /// <summary>
    /// Each instance subscribes to its own and never publishes on it: the subscription is its sign of life, which Redis
    /// drops the moment the process's connection closes (InstanceLiveness).
    /// </summary>
    public string InstanceLivenessChannel(string instanceId) => $"{Prefix}:chan:alive:{instanceId}";

    /// <summary>Events every instance hears (for example a registry change).</summary>
    public string BroadcastChannel => $"{Prefix}:chan:broadcast";

    /// <summary>Conversation membership changes, so every instance moves its realtime connections into or out of conversation groups.</summary>
    public string ConversationMembershipChannel => $"{Prefix}:chan:conversation-membership";

    /// <summary>Devices that lost access (signed out, deleted, token reuse, account deleted), so every instance closes their realtime connections.</summary>
    public string DeviceRevocationsChannel => $"{Prefix}:chan:device-revocations";

    /// <summary>Devices whose SIP secret was rotated, so every instance drops their cached SIP credentials.</summary>
    public string SipCredentialChangesChannel => $"{Prefix}:chan:sip-credential-changes";

    /// <summary>The channel prefix of the SignalR Redis backplane.</summary>
    public string SignalRChannelPrefix => $"{Prefix}:signalr";

    /// <summary>SIP URIs may hold any characters; a digest keeps keys short and free of separators.</summary>
    private static string Digest(string value) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)).AsSpan(0, 12));
}
