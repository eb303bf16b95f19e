namespace Talko.Tests.Core.Fuzzing;

/// <summary>
/// The fuzz tests run alone (after the parallel tests): their leak check reads the managed heap of the whole test
/// process, which tests running beside them would grow (CI once saw +75 MB from neighbours in 3 s).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzingCollection
{
    public const string Name = "Fuzzing";
}
