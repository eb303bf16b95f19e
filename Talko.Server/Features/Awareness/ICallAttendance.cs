namespace Talko.Server.Features.Awareness;

/// <summary>Whether a user may claim to be in, or to listen to, a call; the calls feature provides it.</summary>
public interface ICallAttendance
{
    Task<CallAttendance> CheckAsync(Guid conversationId, Guid callId, Guid userId, CancellationToken cancellationToken);
}

public enum CallAttendance
{
    /// <summary>No call with that id in that conversation.</summary>
    NoSuchCall,

    /// <summary>The call exists in the conversation (live or over), but the user has no leg in it now.</summary>
    NotInCall,

    /// <summary>The call is live and the user has a leg in it.</summary>
    InCall,
}
