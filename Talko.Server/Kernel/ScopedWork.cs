namespace Talko.Server.Kernel;

/// <summary><see cref="IScopedWork{TService}"/> over the container: one scope per run. Registered once, for every service type.</summary>
internal sealed class ScopedWork<TService>(IServiceScopeFactory scopes) : IScopedWork<TService>
    where TService : notnull
{
    public async Task<TResult> RunAsync<TResult>(Func<TService, Task<TResult>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task RunAsync(Func<TService, Task> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
