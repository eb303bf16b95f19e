namespace Talko.Server.Kernel;

/// <summary>
/// A service of request lifetime (one that works on a DbContext) for code that outlives requests, such as the live calls:
/// each run gets a fresh <typeparamref name="TService"/> with its own DbContext, disposed when the work is done. The
/// consumer names the one service it needs, so it neither holds a service provider nor opens scopes (ADR 0623).
/// </summary>
public interface IScopedWork<TService>
    where TService : notnull
{
    Task<TResult> RunAsync<TResult>(Func<TService, Task<TResult>> work);

    Task RunAsync(Func<TService, Task> work);
}
