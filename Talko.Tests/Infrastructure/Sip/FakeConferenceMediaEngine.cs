using System.Collections.Concurrent;
using System.Net;
using Talko.Core.Media;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>Hands out legs on made-up ports and records what signalling did to them.</summary>
internal sealed class FakeConferenceMediaEngine : IConferenceMediaEngine
{
    private int nextPort = 40_000;

    public ConcurrentQueue<FakeMediaLeg> Legs { get; } = new();

    public bool Fail { get; set; }

    /// <summary>When set, AddLegAsync waits for it, so a test can slip a CANCEL in while media is being set up.</summary>
    public TaskCompletionSource? Gate { get; set; }

    private int waitingAtGate;

    /// <summary>AddLegAsync calls waiting for <see cref="Gate"/> now.</summary>
    public int WaitingAtGate => Volatile.Read(ref waitingAtGate);

    public async ValueTask<IMediaLeg> AddLegAsync(MediaLegOptions options, CancellationToken cancellationToken = default)
    {
        if (Gate is { } gate)
        {
            Interlocked.Increment(ref waitingAtGate);
            try
            {
                await gate.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref waitingAtGate);
            }
        }

        if (Fail)
        {
            throw new InvalidOperationException("no ports left");
        }

        var leg = new FakeMediaLeg(options, new IPEndPoint(IPAddress.Loopback, Interlocked.Add(ref nextPort, 2)));
        Legs.Enqueue(leg);
        return leg;
    }
}

internal sealed class FakeMediaLeg(MediaLegOptions options, IPEndPoint localRtp) : IMediaLeg
{
    private readonly TaskCompletionSource disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MediaLegOptions Options { get; } = options;

    public Talko.Core.Calls.LegId LegId => Options.LegId;

    public IPEndPoint LocalRtp { get; } = localRtp;

    public IPEndPoint RemoteRtp { get; private set; } = options.RemoteRtp;

    public bool OnHold { get; private set; }

    public List<bool> HoldChanges { get; } = [];

    public Task Disposed => disposed.Task;

    public bool IsDisposed => disposed.Task.IsCompleted;

    public void UpdateRemote(IPEndPoint remoteRtp, IPAddress? signallingAddress = null) => RemoteRtp = remoteRtp;

    public List<AudioCodec> FormatChanges { get; } = [];

    /// <summary>The RFC 6464 extension id the last <see cref="SetAudioFormat"/> named.</summary>
    public int? AudioLevelExtensionId { get; private set; }

    public void SetAudioFormat(AudioCodec codec, int? payloadType, int? telephoneEventPayloadType, int? opusMaxBitrate, int? audioLevelExtensionId)
    {
        FormatChanges.Add(codec);
        AudioLevelExtensionId = audioLevelExtensionId;
    }

    public void SetOnHold(bool onHold)
    {
        OnHold = onHold;
        HoldChanges.Add(onHold);
    }

    public ValueTask DisposeAsync()
    {
        disposed.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
