using Xunit.Abstractions;

namespace Talko.Tests.Core.Fuzzing;

/// <summary>
/// The short mutation-fuzzing run inside the suite (3 s per target; scripts/fuzz.sh runs the same for minutes).
/// A failure message carries the seed and the first inputs that failed, base64-encoded, to reproduce it.
/// </summary>
[Collection(FuzzingCollection.Name)]
public sealed class FuzzTests(ITestOutputHelper output)
{
    /// <summary>Managed memory may grow by this much over a run before it counts as a leak (caches warm up; state expires).</summary>
    private const long MaxGrowthBytes = 64L * 1024 * 1024;

    [Fact]
    public async Task Sip_parser_and_transaction_layer_survive_mutated_messages()
    {
        var report = await SipFuzzTarget.RunAsync(FuzzSettings.Duration, FuzzSettings.Seed);
        Check(report, minimumInputs: 500);
    }

    [Fact]
    public async Task Rtp_and_rtcp_parsing_and_the_leg_receive_path_survive_mutated_packets()
    {
        var report = await MediaFuzzTarget.RunAsync(FuzzSettings.Duration, FuzzSettings.Seed);
        Check(report, minimumInputs: 5_000);
    }

    [Fact]
    public void Stun_parsing_and_the_ice_lite_responder_survive_mutated_messages()
    {
        var report = WebRtcFuzzTargets.Stun(FuzzSettings.Duration, FuzzSettings.Seed);
        Check(report, minimumInputs: 5_000);
    }

    [Fact]
    public void Srtp_and_srtcp_unprotect_survive_mutated_packets()
    {
        var report = WebRtcFuzzTargets.Srtp(FuzzSettings.Duration, FuzzSettings.Seed);
        Check(report, minimumInputs: 5_000);
    }

    [Fact]
    public async Task Dtls_intake_and_handshake_survive_damaged_client_flights()
    {
        var report = await WebRtcFuzzTargets.DtlsAsync(FuzzSettings.Duration, FuzzSettings.Seed);
        Check(report, minimumInputs: 3);
    }

    private void Check(FuzzReport report, long minimumInputs)
    {
        output.WriteLine(report.ToString());
        FuzzSettings.Publish(report);
        Assert.True(report.Failures.Count == 0, $"{report}\n{string.Join("\n", report.Failures.Take(5))}");
        Assert.True(report.Inputs >= minimumInputs, $"only {report.Inputs} inputs: {report}");
        Assert.True(report.MemoryGrowthBytes < MaxGrowthBytes, $"managed memory grew by {report.MemoryGrowthBytes / 1048576.0:F1} MB: {report}");
    }
}
