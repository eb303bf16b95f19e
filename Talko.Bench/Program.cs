using Talko.Bench.Mixing;

return args.FirstOrDefault() switch
{
    "mixer" => await MixerBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project Talko.Bench -- mixer [--runs N] [--ticks N] [--sizes 250,500,...]");
    return 2;
}
