namespace Talko.Core.Sip.Transactions;

/// <summary>States of the RFC 3261 section 17 machines, with Accepted from RFC 6026.</summary>
public enum SipTransactionState
{
    Calling,
    Trying,
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}
