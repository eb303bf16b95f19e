using System.Buffers.Binary;
using Talko.Core.Media.WebRtc.Srtp;

namespace Talko.Tests.Core.Media.WebRtc.Srtp;

/// <summary>Round trips, rollover, replay and tampering through a sender and a receiver context with the same master key.</summary>
public class SrtpContextTests
{
    private const uint Ssrc = 0x11223344;

    public static TheoryData<SrtpProfile> Profiles => new() { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm };

    private static (SrtpContext Sender, SrtpContext Receiver) Pair(SrtpProfile profile, int maxStreams = SrtpContext.DefaultMaxStreams)
    {
        var key = Enumerable.Range(1, 16).Select(i => (byte)(i * 7)).ToArray();
        var salt = Enumerable.Range(1, profile.MasterSaltLength()).Select(i => (byte)(i * 13)).ToArray();
        return (new SrtpContext(profile, key, salt, maxStreams), new SrtpContext(profile, key, salt, maxStreams));
    }

    /// <summary>An RTP packet with a CSRC and a one-byte header extension, so the header length is not the fixed 12.</summary>
    private static byte[] Rtp(ushort sequence, uint ssrc = Ssrc, int payload = 160)
    {
        var packet = new byte[12 + 4 + 8 + payload];
        packet[0] = 0x80 | 0x10 | 0x01;
        packet[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence * 960u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), 0xC5C5C5C5);
        packet[16] = 0xBE;
        packet[17] = 0xDE;
        packet[19] = 1;
        packet[20] = 0x10;
        packet[21] = 0x7F;
        for (var i = 24; i < packet.Length; i++)
        {
            packet[i] = (byte)(sequence + i);
        }

        return packet;
    }

    private static byte[] Protect(SrtpContext sender, byte[] plain)
    {
        var buffer = new byte[plain.Length + 16];
        plain.CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(buffer, plain.Length, out var length));
        return buffer[..length];
    }

    private static SrtpResult Unprotect(SrtpContext receiver, byte[] protectedPacket, out byte[] plain)
    {
        var copy = protectedPacket.ToArray();
        var result = receiver.UnprotectRtp(copy, out var length);
        plain = copy[..length];
        return result;
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtp_round_trips_and_the_payload_is_encrypted_while_the_header_is_not(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var plain = Rtp(1000);
        var protectedPacket = Protect(sender, plain);

        Assert.Equal(plain.Length + profile.RtpOverhead(), protectedPacket.Length);
        Assert.Equal(plain[..24], protectedPacket[..24]);
        Assert.NotEqual(plain[24..], protectedPacket[24..plain.Length]);
        Assert.Equal(SrtpResult.Ok, Unprotect(receiver, protectedPacket, out var back));
        Assert.Equal(plain, back);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtcp_round_trips_with_an_index_that_starts_at_zero_and_the_e_flag_set(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        for (uint n = 0; n < 3; n++)
        {
            var plain = Rtcp();
            var buffer = new byte[plain.Length + 20];
            plain.CopyTo(buffer, 0);
            Assert.Equal(SrtpResult.Ok, sender.ProtectRtcp(buffer, plain.Length, out var length));
            Assert.Equal(plain.Length + profile.RtcpOverhead(), length);
            var indexOffset = profile == SrtpProfile.AeadAes128Gcm ? length - 4 : length - 14;
            Assert.Equal(0x8000_0000u | n, BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(indexOffset)));

            Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(buffer.AsSpan(0, length), out var plainLength));
            Assert.Equal(plain, buffer[..plainLength]);
        }
    }

    private static byte[] Rtcp()
    {
        // A receiver report with one block, then SDES padding to a word: enough to have a payload to encrypt.
        var packet = new byte[32];
        packet[0] = 0x81;
        packet[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 7);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), Ssrc);
        for (var i = 8; i < packet.Length; i++)
        {
            packet[i] = (byte)i;
        }

        return packet;
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Any_changed_bit_in_header_payload_or_tag_fails_authentication(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var protectedPacket = Protect(sender, Rtp(5));
        foreach (var position in new[] { 1, 4, 13, 30, protectedPacket.Length - 1 })
        {
            var tampered = protectedPacket.ToArray();
            tampered[position] ^= 0x04;
            Assert.Equal(SrtpResult.AuthenticationFailed, Unprotect(receiver, tampered, out _));
        }

        Assert.Equal(SrtpResult.Ok, Unprotect(receiver, protectedPacket, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void A_packet_from_a_context_with_other_keys_fails_authentication(SrtpProfile profile)
    {
        var (sender, _) = Pair(profile);
        using var stranger = new SrtpContext(profile, new byte[16], new byte[profile.MasterSaltLength()]);
        Assert.Equal(SrtpResult.AuthenticationFailed, Unprotect(stranger, Protect(sender, Rtp(9)), out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Replays_are_rejected_and_late_packets_inside_the_window_accepted_once(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var packets = Enumerable.Range(100, 200).Select(s => Protect(sender, Rtp((ushort)s))).ToList();

        Assert.Equal(SrtpResult.Ok, Unprotect(receiver, packets[0], out _));
        Assert.Equal(SrtpResult.Replayed, Unprotect(receiver, packets[0], out _));
        Assert.Equal(SrtpResult.Ok, Unprotect(receiver, packets[199], out _));
        Assert.Equal(SrtpResult.Ok, Unprotect(receiver, packets[199 - 127], out _)); // the oldest the window still holds
        Assert.Equal(SrtpResult.Replayed, Unprotect(receiver, packets[199 - 127], out _));
        Assert.Equal(SrtpResult.TooOld, Unprotect(receiver, packets[199 - 128], out _));
        Assert.Equal(SrtpResult.Replayed, Unprotect(receiver, packets[199], out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void A_forged_packet_far_ahead_does_not_move_the_replay_window(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var first = Protect(sender, Rtp(10));
        var second = Protect(sender, Rtp(11));
        Assert.Equal(SrtpResult.Ok, Unprotect(receiver, first, out _));

        var forged = Protect(sender, Rtp(5000));
        forged[^1] ^= 0xFF;
        Assert.Equal(SrtpResult.AuthenticationFailed, Unprotect(receiver, forged, out _));
        Assert.Equal(SrtpResult.Ok, Unprotect(receiver, second, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void The_rollover_counter_follows_the_sequence_number_across_wraps_and_reordering(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        // Two full wraps; a packet authenticates only if both sides agree on the rollover counter (it is in the tag or nonce).
        var sequence = 65000;
        byte[]? held = null;
        for (var n = 0; n < 140_000; n += 97)
        {
            var packet = Protect(sender, Rtp((ushort)(sequence + n)));
            if ((ushort)(sequence + n) < 97 && held is null)
            {
                held = packet; // deliver the first packet after a wrap late, behind the next one
                continue;
            }

            Assert.Equal(SrtpResult.Ok, Unprotect(receiver, packet, out _));
            if (held is not null)
            {
                Assert.Equal(SrtpResult.Ok, Unprotect(receiver, held, out _));
                held = null;
            }
        }
    }

    [Fact]
    public void The_index_estimate_follows_rfc3711_appendix_a()
    {
        Assert.Equal(0x1_0005, RolloverCounter.EstimateIndex(0x0_FFF0, 5));      // wrapped forward
        Assert.Equal(0x0_FFF0, RolloverCounter.EstimateIndex(0x1_0005, 0xFFF0)); // late from the previous rollover
        Assert.Equal(0x2_7000, RolloverCounter.EstimateIndex(0x2_1000, 0x7000)); // ahead in the same rollover
        Assert.Equal(0x2_9000, RolloverCounter.EstimateIndex(0x2_9100, 0x9000)); // behind in the same rollover
        Assert.Equal(-1, RolloverCounter.EstimateIndex(0x0_0010, 0xFF00));       // before the stream began
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Rtcp_replays_and_forgeries_are_rejected(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var plain = Rtcp();
        var buffer = new byte[plain.Length + 20];
        plain.CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtcp(buffer, plain.Length, out var length));
        var packet = buffer[..length];

        var tampered = packet.ToArray();
        tampered[10] ^= 1;
        Assert.Equal(SrtpResult.AuthenticationFailed, receiver.UnprotectRtcp(tampered, out _));
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(packet.ToArray(), out _));
        Assert.Equal(SrtpResult.Replayed, receiver.UnprotectRtcp(packet.ToArray(), out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Short_and_malformed_packets_are_refused_with_their_reason(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        Assert.Equal(SrtpResult.TooShort, receiver.UnprotectRtp(new byte[12 + profile.RtpOverhead() - 1], out _));
        Assert.Equal(SrtpResult.TooShort, receiver.UnprotectRtcp(new byte[8 + profile.RtcpOverhead() - 1], out _));

        var wrongVersion = Protect(sender, Rtp(1));
        wrongVersion[0] = 0x40;
        Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtp(wrongVersion, out _));

        var extensionPastEnd = Protect(sender, Rtp(2));
        extensionPastEnd[18] = 0xFF;
        Assert.Equal(SrtpResult.Malformed, receiver.UnprotectRtp(extensionPastEnd, out _));

        var noRoom = Rtp(3);
        Assert.Equal(SrtpResult.BufferTooSmall, sender.ProtectRtp(noRoom, noRoom.Length, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Streams_beyond_the_limit_are_refused(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile, maxStreams: 2);
        var first = Protect(sender, Rtp(1, ssrc: 1));
        var second = Protect(sender, Rtp(1, ssrc: 2));
        Assert.Equal(SrtpResult.Ok, Unprotect(receiver, first, out _));
        Assert.Equal(SrtpResult.Ok, Unprotect(receiver, second, out _));

        var third = Rtp(1, ssrc: 3);
        var buffer = new byte[third.Length + 16];
        third.CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.TooManyStreams, sender.ProtectRtp(buffer, third.Length, out _));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Protect_and_unprotect_allocate_nothing_per_packet_once_the_stream_is_known(SrtpProfile profile)
    {
        var (sender, receiver) = Pair(profile);
        var plain = Rtp(1);
        var buffer = new byte[plain.Length + 16];
        var rtcp = Rtcp();
        var rtcpBuffer = new byte[rtcp.Length + 20];

        var accepted = 0; // counted rather than asserted inside the loop: xunit's Assert allocates

        void RoundTrip(ushort sequence)
        {
            plain.CopyTo(buffer, 0);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), sequence);
            sender.ProtectRtp(buffer, plain.Length, out var length);
            accepted += receiver.UnprotectRtp(buffer.AsSpan(0, length), out _) == SrtpResult.Ok ? 1 : 0;
            rtcp.CopyTo(rtcpBuffer, 0);
            sender.ProtectRtcp(rtcpBuffer, rtcp.Length, out length);
            accepted += receiver.UnprotectRtcp(rtcpBuffer.AsSpan(0, length), out _) == SrtpResult.Ok ? 1 : 0;
        }

        RoundTrip(1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var sequence = 2; sequence < 1002; sequence++)
        {
            RoundTrip((ushort)sequence);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2002, accepted);
        Assert.Equal(0, allocated);
    }
}
