namespace Talko.Tests.Core.Media.Engine;

/// <summary>
/// Tests that stream audio in real time over UDP. They run alone (after the parallel tests), because on a
/// 2-core machine a CPU-bound test in parallel delays the mixer clock's timer and the peers' pacing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealtimeMediaCollection
{
    public const string Name = "Realtime media";
}
