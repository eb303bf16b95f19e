namespace Talko.Tests.Server.Authorization;

/// <summary>
/// The statuses each actor may get from one endpoint. Usually one status; a set only where the correct rule allows
/// either (a reference to a call that is not in the conversation may be refused as 400 or 404).
/// </summary>
public sealed class Expectation
{
    private readonly Dictionary<Actor, int[]> statuses;

    private Expectation(Dictionary<Actor, int[]> statuses) => this.statuses = statuses;

    public IReadOnlyCollection<int> For(Actor actor) => statuses[actor];

    public bool Allows(Actor actor, int status) => statuses[actor].Contains(status);

    /// <summary>
    /// A resource of the world's conversation: no token 401; whoever is not (or no longer) in the conversation 404, so
    /// its existence is not revealed; members <paramref name="member"/>; admin and owner the same unless given.
    /// </summary>
    public static Expectation InConversation(int member, int? admin = null, int? owner = null) => new(new()
    {
        [Actor.Anonymous] = [401],
        [Actor.Operator] = [401],
        [Actor.Stranger] = [404],
        [Actor.Removed] = [404],
        [Actor.Dropped] = [404],
        [Actor.Member] = [member],
        [Actor.Admin] = [admin ?? member],
        [Actor.Owner] = [owner ?? admin ?? member],
    });

    /// <summary>A resource of the world's group: as <see cref="InConversation"/>, but whoever is still in the group counts as a plain member.</summary>
    public static Expectation InGroup(int member, int? admin = null, int? owner = null) =>
        InConversation(member, admin, owner).With(Actor.Dropped, member);

    /// <summary>A personal resource of <see cref="Actor.Member"/>: only they reach it; group roles give no power over it (404 for all others).</summary>
    public static Expectation MembersOwn(int member) => new(new()
    {
        [Actor.Anonymous] = [401],
        [Actor.Operator] = [401],
        [Actor.Stranger] = [404],
        [Actor.Removed] = [404],
        [Actor.Dropped] = [404],
        [Actor.Member] = [member],
        [Actor.Admin] = [404],
        [Actor.Owner] = [404],
    });

    /// <summary>About the caller only (their profile, their lists): every signed-in user, whatever their groups.</summary>
    public static Expectation SignedIn(int status) => new(new()
    {
        [Actor.Anonymous] = [401],
        [Actor.Operator] = [401],
        [Actor.Stranger] = [status],
        [Actor.Removed] = [status],
        [Actor.Dropped] = [status],
        [Actor.Member] = [status],
        [Actor.Admin] = [status],
        [Actor.Owner] = [status],
    });

    /// <summary>Anonymous by design (signing in): everyone alike.</summary>
    public static Expectation Public(int status) => new(Enum.GetValues<Actor>().ToDictionary(a => a, _ => new[] { status }));

    /// <summary>Operations: only the admin key; a user's token is no substitute (401).</summary>
    public static Expectation AdminKey(int status) => new(Enum.GetValues<Actor>().ToDictionary(a => a, a => a == Actor.Operator ? new[] { status } : [401]));

    /// <summary>This expectation with <paramref name="actor"/> allowed <paramref name="allowed"/> instead.</summary>
    public Expectation With(Actor actor, params int[] allowed)
    {
        var copy = new Dictionary<Actor, int[]>(statuses) { [actor] = allowed };
        return new Expectation(copy);
    }

    /// <summary>This expectation with every signed-in group actor (member, admin, owner) allowed <paramref name="allowed"/>.</summary>
    public Expectation ForMembers(params int[] allowed) => With(Actor.Member, allowed).With(Actor.Admin, allowed).With(Actor.Owner, allowed);
}
