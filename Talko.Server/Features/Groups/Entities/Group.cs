using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Talko.Core.Conversations;
using Talko.Server.Data;

namespace Talko.Server.Features.Groups.Entities;

/// <summary>A team: it holds members with roles and the conversations among them.</summary>
public sealed class Group
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public Guid CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<GroupMember> Members { get; set; } = [];
}

public sealed class GroupMember
{
    public Guid GroupId { get; set; }

    public Guid UserId { get; set; }

    public GroupRole Role { get; set; }

    public DateTime JoinedAt { get; set; }
}

/// <summary>
/// An invitation for someone who may not have an account yet, kept as the same keyed hash of their
/// email or phone that accounts store, so the address itself is never kept. It becomes a membership when
/// a user with that identifier shows up.
/// </summary>
public sealed class GroupInvite
{
    public Guid Id { get; set; }

    public Guid GroupId { get; set; }

    public required string LookupKey { get; set; }

    public required string Hint { get; set; }

    public GroupRole Role { get; set; }

    public Guid InvitedBy { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> group)
    {
        group.ToTable("groups");
        group.Property(g => g.Name).HasMaxLength(Input.TextRules.GroupNameColumn);
        group.HasMany(g => g.Members).WithOne().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class GroupMemberConfiguration : IEntityTypeConfiguration<GroupMember>
{
    public void Configure(EntityTypeBuilder<GroupMember> member)
    {
        member.ToTable("group_members");
        member.HasKey(m => new { m.GroupId, m.UserId });
        member.HasIndex(m => m.UserId);
        member.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
    }
}

internal sealed class GroupInviteConfiguration : IEntityTypeConfiguration<GroupInvite>
{
    public void Configure(EntityTypeBuilder<GroupInvite> invite)
    {
        invite.ToTable("group_invites");
        invite.Property(i => i.LookupKey).HasMaxLength(64);
        invite.Property(i => i.Hint).HasMaxLength(128);
        invite.Property(i => i.Role).HasConversion<string>().HasMaxLength(16);
        invite.HasIndex(i => new { i.GroupId, i.LookupKey }).IsUnique();
        invite.HasIndex(i => i.LookupKey);
        invite.HasOne<Group>().WithMany().HasForeignKey(i => i.GroupId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Invites are claimed by joining their lookup keys with the user's identifiers, whose keys compare in the "C"
/// collation on PostgreSQL (<c>UserIdentifierPostgresConfiguration</c>): with the default collation here the join would
/// compare in "C" and could no longer use this table's lookup-key index.
/// </summary>
[PostgresOnly]
internal sealed class GroupInvitePostgresConfiguration : IEntityTypeConfiguration<GroupInvite>
{
    public void Configure(EntityTypeBuilder<GroupInvite> invite) => invite.Property(i => i.LookupKey).UseCollation("C");
}
