using Talko.Core.Calls;

namespace Talko.Tests.Core.Calls;

public class CallCommandTests
{
    private static readonly CallId Call = new(Guid.Parse("0193a1b2-0000-7000-8000-000000000001"));
    private static readonly Guid User = Guid.Parse("0193a1b2-0000-7000-8000-0000000000aa");
    private static readonly Guid Device = Guid.Parse("0193a1b2-0000-7000-8000-0000000000bb");

    public static TheoryData<CallCommand> Commands() =>
    [
        new EndCall(Call),
        new LeaveCall(Call, User, Device),
        new LeaveCall(Call, User, null),
        new RingMembers(Call, [User, Device]),
        new RingBack(Call, User, null),
        new SegmentStored(Call),
    ];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_kind_reads_back_as_itself(CallCommand command)
    {
        var read = CallCommands.TryRead(CallCommands.Write(command));

        Assert.NotNull(read);
        Assert.Equal(command.GetType(), read.GetType());
        Assert.Equal(CallCommands.Write(command), CallCommands.Write(read));
    }

    [Fact]
    public void The_kind_and_the_call_id_are_written_as_the_previous_version_wrote_them()
    {
        var json = CallCommands.Write(new RingBack(Call, User, Device));

        // The kind comes first: readers of this version find the type from it before the other properties.
        Assert.StartsWith("{\"kind\":\"ring-back\",", json, StringComparison.Ordinal);
        Assert.Contains("\"callId\":\"0193a1b2-0000-7000-8000-000000000001\"", json, StringComparison.Ordinal);
        Assert.Contains("\"userId\":\"0193a1b2-0000-7000-8000-0000000000aa\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_of_the_previous_version_are_read()
    {
        // The string-kinded record of the previous version wrote every field, null or not.
        var leave = CallCommands.TryRead($"{{\"kind\":\"leave\",\"callId\":\"{Call}\",\"userId\":\"{User}\",\"deviceId\":null,\"userIds\":null}}");
        var ring = CallCommands.TryRead($"{{\"kind\":\"ring\",\"callId\":\"{Call}\",\"userId\":null,\"deviceId\":null,\"userIds\":[\"{User}\"]}}");

        Assert.Equal(new LeaveCall(Call, User, null), leave);
        var members = Assert.IsType<RingMembers>(ring);
        Assert.Equal([User], members.UserIds);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"kind\":\"explode\",\"callId\":\"0193a1b2-0000-7000-8000-000000000001\"}")]
    [InlineData("{\"callId\":\"0193a1b2-0000-7000-8000-000000000001\"}")]
    [InlineData("{\"kind\":\"leave\",\"callId\":\"0193a1b2-0000-7000-8000-000000000001\"}")]
    [InlineData("{\"kind\":\"ring\",\"callId\":\"0193a1b2-0000-7000-8000-000000000001\",\"userIds\":null}")]
    [InlineData("{\"kind\":\"end\",\"callId\":\"not-a-guid\"}")]
    [InlineData("{\"kind\":\"segment-stored\"}")]
    public void Anything_else_is_not_a_command(string message) =>
        Assert.Null(CallCommands.TryRead(message));
}
