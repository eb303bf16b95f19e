namespace Talko.Core.Calls;

/// <summary>The SIP URI of a call's conference on an instance: what devices INVITE, and where a moved call's legs are referred.</summary>
public static class CallSipUri
{
    /// <summary><c>sip:{callId}@{sipAddress}</c>, where <paramref name="sipAddress"/> is the instance's host:port.</summary>
    public static string At(CallId callId, string sipAddress) => $"sip:{callId}@{sipAddress}";
}
